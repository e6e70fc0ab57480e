"""Every JSON file yieldlab writes, checked against docs/schema/ (JSON
Schema 2020-12, Debian's python3-jsonschema)."""
import json
import os

import jsonschema
from jsonschema.validators import Draft202012Validator

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "schema")
FILES = {"run": "run.json", "caps": "caps.json", "bench exits": "bench-exits.json",
         "bench handoff": "bench-handoff.json"}


def _load(name):
    with open(os.path.join(SCHEMA_DIR, name)) as f:
        return json.load(f)


def _validator(command):
    schemas = {s["$id"]: s for s in (_load(n) for n in os.listdir(SCHEMA_DIR) if n.endswith(".json"))}
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        reg = Registry().with_resources(
            [(i, Resource.from_contents(s)) for i, s in schemas.items()])
        return Draft202012Validator(_load(FILES[command]), registry=reg)
    except ImportError:  # Debian 12's 4.10
        resolver = jsonschema.RefResolver.from_schema(_load(FILES[command]), store=schemas)
        return Draft202012Validator(_load(FILES[command]), resolver=resolver)


def problems(doc):
    """What is wrong with @doc against its command's schema: [] if nothing."""
    command = doc.get("command") if isinstance(doc, dict) else None
    if command not in FILES:
        return ["no known command: %r" % (command,)]
    v = _validator(command)
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message[:200])
            for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))][:10]


def check_all_schemas():
    """The schema files themselves are valid JSON Schema."""
    for n in os.listdir(SCHEMA_DIR):
        if n.endswith(".json"):
            Draft202012Validator.check_schema(_load(n))
