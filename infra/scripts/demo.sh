#!/usr/bin/env bash
# Placeholder: the end-to-end demo is written separately.
echo "demo: not yet" >&2
exit 1
