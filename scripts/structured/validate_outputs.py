#!/usr/bin/env python3
"""Validates structured outputs with the reference validator (python-jsonschema, Draft 2020-12).

Usage: validate_outputs.py FILE, where FILE is JSON: {"schema": {...}, "outputs": ["...", ...]}.
Prints one line per invalid output and a summary; exits 1 if any output does not parse or validate.
"""
import json
import sys

import jsonschema


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    validator = jsonschema.Draft202012Validator(data["schema"])
    validator.check_schema(data["schema"])
    bad = 0
    for i, text in enumerate(data["outputs"]):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            print(f"output {i}: does not parse: {e}: {text!r}")
            bad += 1
            continue
        errors = list(validator.iter_errors(value))
        if errors:
            print(f"output {i}: {errors[0].message}: {text!r}")
            bad += 1
    print(f"{len(data['outputs']) - bad} of {len(data['outputs'])} valid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
