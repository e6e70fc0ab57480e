"""Every JSON file yieldlab writes, checked against docs/schema/ (JSON
Schema 2020-12, Debian's python3-jsonschema)."""
import functools
import json
import os

import jsonschema
from jsonschema.validators import Draft202012Validator

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "schema")
FILES = {"run": "run.json", "sim": "run.json", "caps": "caps.json", "bench exits": "bench-exits.json",
         "bench handoff": "bench-handoff.json", "compare": "compare-summary.json"}


def _load(name):
    with open(os.path.join(SCHEMA_DIR, name)) as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def _schemas():
    """Every schema file by name, read once."""
    return {n: _load(n) for n in os.listdir(SCHEMA_DIR) if n.endswith(".json")}


@functools.lru_cache(maxsize=None)
def _validator(command):
    """One validator per command, its $refs resolved among the files."""
    by_id = {s["$id"]: s for s in _schemas().values()}
    top = _schemas()[FILES[command]]
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        reg = Registry().with_resources(
            [(i, Resource.from_contents(s)) for i, s in by_id.items()])
        return Draft202012Validator(top, registry=reg)
    except ImportError:  # Debian 12's 4.10
        resolver = jsonschema.RefResolver.from_schema(top, store=by_id)
        return Draft202012Validator(top, resolver=resolver)


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
    for s in _schemas().values():
        Draft202012Validator.check_schema(s)
