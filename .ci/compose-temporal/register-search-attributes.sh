#!/bin/sh
# Registers the appstore's custom search attributes (all Keyword) on the
# namespace, creating the namespace first if it does not exist. Run by the
# `temporal-search-attributes` one-shot service in docker-compose.yml inside
# the temporalio/admin-tools image; the attribute names are its arguments.
#
# Idempotent: an attribute that already exists is accepted, so the service can
# run on every `docker compose up`.
#
# Environment: TEMPORAL_ADDRESS (host:port), TEMPORAL_NAMESPACE (default
# "default"), TEMPORAL_NAMESPACE_RETENTION (default 720h).
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}"
export TEMPORAL_ADDRESS

if [ "$#" -eq 0 ]; then
	echo "usage: $0 SearchAttribute..." >&2
	exit 2
fi

# retry N CMD...: run CMD until it succeeds, at most N times, 2s apart.
retry() {
	n="$1"
	shift
	i=1
	until "$@"; do
		if [ "$i" -ge "$n" ]; then
			return 1
		fi
		i=$((i + 1))
		sleep 2
	done
}

echo "search-attributes: waiting for Temporal at $TEMPORAL_ADDRESS"
retry 90 temporal operator cluster health >/dev/null

if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
	echo "search-attributes: namespace $NAMESPACE exists"
else
	echo "search-attributes: creating namespace $NAMESPACE (retention $RETENTION)"
	out=$(temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" 2>&1) ||
		case "$out" in
		*"already"*) ;; # created concurrently
		*)
			echo "$out" >&2
			exit 1
			;;
		esac
fi

# register NAME: add NAME as a Keyword. Re-adding an existing Keyword succeeds
# (or reports "already exists", depending on the CLI version); the same name
# with another type is a conflict that no retry can fix.
register() {
	out=$(temporal operator search-attribute create --namespace "$NAMESPACE" --name "$1" --type Keyword 2>&1) && return 0
	case "$out" in
	*"different type"*)
		echo "search-attributes: $1 exists with another type: $out" >&2
		exit 1
		;;
	*"already exists"*) return 0 ;;
	esac
	echo "search-attributes: $1: $out" >&2
	return 1
}

# A namespace that was just created takes a few seconds to reach every
# service's cache, so "namespace not found" is retried rather than fatal.
for name in "$@"; do
	if ! retry 30 register "$name"; then
		echo "search-attributes: could not register $name" >&2
		exit 1
	fi
	echo "search-attributes: $name (Keyword) registered"
done

# Fail loudly unless the namespace now lists every attribute as a Keyword.
list=$(temporal operator search-attribute list --namespace "$NAMESPACE")
for name in "$@"; do
	if ! printf '%s\n' "$list" | grep -Eq "^[[:space:]]*$name[[:space:]]+Keyword[[:space:]]*$"; then
		echo "search-attributes: $name is not a Keyword on namespace $NAMESPACE:" >&2
		printf '%s\n' "$list" >&2
		exit 1
	fi
done
echo "search-attributes: done ($# attributes on namespace $NAMESPACE)"
