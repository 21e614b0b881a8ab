// The components the platform renders (PROTOCOL.md, "Components and
// their props"). An app's React tree is serialised by the frame runtime;
// the host renders only these names and checks every prop. Each is a host
// component: its value is its name, so <Card> becomes jsx("Card", props).
import type { ReactNode } from "react";

/**
 * A component the platform renders by name. Typed as a function component
 * so JSX checks its props; at run time it is the name.
 */
export type HostComponent<P> = (props: P) => null;

type Children = { children?: ReactNode };
type Field = { name?: string; label?: string; placeholder?: string; required?: boolean; disabled?: boolean };

export interface StackProps extends Children {
  direction?: "row" | "column";
  gap?: "none" | "xs" | "sm" | "md" | "lg";
  align?: "start" | "center" | "end" | "stretch";
  justify?: "start" | "center" | "end" | "between";
  wrap?: boolean;
}
export interface TypographyProps extends Children {
  variant?: "h1" | "h2" | "h3" | "h4" | "body" | "small" | "muted" | "code";
}
export interface TextBlockProps {
  text: string;
  tone?: "default" | "muted" | "success" | "warning" | "danger";
}
export interface LabelProps extends Children {
  text?: string;
  for?: string;
}
export interface InputProps extends Field {
  value?: string;
  defaultValue?: string;
  type?: "text" | "email" | "number" | "password" | "search" | "tel" | "url";
  maxLength?: number;
  onChange?: (value: string) => void;
  onBlur?: () => void;
}
export interface TextareaProps extends Field {
  value?: string;
  defaultValue?: string;
  rows?: number;
  maxLength?: number;
  onChange?: (value: string) => void;
}
export interface SelectProps extends Field {
  value?: string;
  options: { value: string; label: string }[];
  onChange?: (value: string) => void;
}
export interface CheckboxProps {
  name?: string;
  label?: string;
  checked?: boolean;
  defaultChecked?: boolean;
  disabled?: boolean;
  onChange?: (checked: boolean) => void;
}
export interface ButtonProps extends Children {
  variant?: "default" | "primary" | "secondary" | "destructive" | "outline" | "ghost" | "link";
  size?: "sm" | "md" | "lg";
  type?: "button" | "submit";
  disabled?: boolean;
  loading?: boolean;
  onClick?: () => void;
}
export interface FormProps extends Children {
  onSubmit?: (values: { [name: string]: unknown }) => void;
}
export interface BadgeProps extends Children {
  variant?: "default" | "secondary" | "success" | "warning" | "destructive" | "outline";
  text?: string;
}
export interface AvatarProps {
  src?: string;
  alt?: string;
  fallback?: string;
  size?: "sm" | "md" | "lg";
}
export interface AlertProps extends Children {
  variant?: "default" | "destructive" | "warning" | "success";
  title?: string;
  description?: string;
}
export interface SeparatorProps {
  orientation?: "horizontal" | "vertical";
}
export interface BannerProps extends Children {
  variant?: "info" | "success" | "warning" | "danger";
  title?: string;
  description?: string;
  dismissible?: boolean;
  onDismiss?: () => void;
}
export interface DialogProps extends Children {
  title?: string;
  description?: string;
}

function host<P>(name: string): HostComponent<P> {
  return name as unknown as HostComponent<P>;
}

export const Form = /* @__PURE__ */ host<FormProps>("Form");
export const Input = /* @__PURE__ */ host<InputProps>("Input");
export const Textarea = /* @__PURE__ */ host<TextareaProps>("Textarea");
export const Select = /* @__PURE__ */ host<SelectProps>("Select");
export const Checkbox = /* @__PURE__ */ host<CheckboxProps>("Checkbox");
export const Switch = /* @__PURE__ */ host<CheckboxProps>("Switch");
export const Button = /* @__PURE__ */ host<ButtonProps>("Button");
export const Label = /* @__PURE__ */ host<LabelProps>("Label");
export const Card = /* @__PURE__ */ host<Children>("Card");
export const CardHeader = /* @__PURE__ */ host<Children>("CardHeader");
export const CardTitle = /* @__PURE__ */ host<Children>("CardTitle");
export const CardDescription = /* @__PURE__ */ host<Children>("CardDescription");
export const CardContent = /* @__PURE__ */ host<Children>("CardContent");
export const CardFooter = /* @__PURE__ */ host<Children>("CardFooter");
export const Badge = /* @__PURE__ */ host<BadgeProps>("Badge");
export const Avatar = /* @__PURE__ */ host<AvatarProps>("Avatar");
export const Alert = /* @__PURE__ */ host<AlertProps>("Alert");
export const Separator = /* @__PURE__ */ host<SeparatorProps>("Separator");
export const TextBlock = /* @__PURE__ */ host<TextBlockProps>("TextBlock");
export const Banner = /* @__PURE__ */ host<BannerProps>("Banner");
export const Typography = /* @__PURE__ */ host<TypographyProps>("Typography");
export const Dialog = /* @__PURE__ */ host<DialogProps>("Dialog");
export const Stack = /* @__PURE__ */ host<StackProps>("Stack");

/** Every component name the host renders. */
export const COMPONENT_NAMES: readonly string[] = ["Form", "Input", "Textarea", "Select", "Checkbox", "Switch", "Button", "Label", "Card", "CardHeader", "CardTitle", "CardDescription", "CardContent", "CardFooter", "Badge", "Avatar", "Alert", "Separator", "TextBlock", "Banner", "Typography", "Dialog", "Stack"];
