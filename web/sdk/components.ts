// The components the platform renders (DESIGN §7). An app's React tree is
// serialised to JSON by the host; only these names are rendered, anything
// else is an error. Each is a host component: its value is its name, so
// <Card> becomes jsx("Card", props).

/** Props of a host component: plain values and event handlers. */
export type HostProps = { [prop: string]: unknown; children?: unknown };

/**
 * A component the platform renders by name. Typed as a function component
 * returning null so JSX accepts it without the SDK depending on React's
 * types; at run time it is the name.
 */
export type HostComponent = (props: HostProps) => null;

export const Form = "Form" as unknown as HostComponent;
export const Input = "Input" as unknown as HostComponent;
export const Textarea = "Textarea" as unknown as HostComponent;
export const Select = "Select" as unknown as HostComponent;
export const Checkbox = "Checkbox" as unknown as HostComponent;
export const Switch = "Switch" as unknown as HostComponent;
export const Button = "Button" as unknown as HostComponent;
export const Label = "Label" as unknown as HostComponent;
export const Card = "Card" as unknown as HostComponent;
export const CardHeader = "CardHeader" as unknown as HostComponent;
export const CardTitle = "CardTitle" as unknown as HostComponent;
export const CardDescription = "CardDescription" as unknown as HostComponent;
export const CardContent = "CardContent" as unknown as HostComponent;
export const CardFooter = "CardFooter" as unknown as HostComponent;
export const Badge = "Badge" as unknown as HostComponent;
export const Avatar = "Avatar" as unknown as HostComponent;
export const Alert = "Alert" as unknown as HostComponent;
export const Separator = "Separator" as unknown as HostComponent;
export const TextBlock = "TextBlock" as unknown as HostComponent;
export const Banner = "Banner" as unknown as HostComponent;
export const Typography = "Typography" as unknown as HostComponent;
export const Dialog = "Dialog" as unknown as HostComponent;
export const Stack = "Stack" as unknown as HostComponent;
