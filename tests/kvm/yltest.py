#!/usr/bin/env python3
"""KVM integration tests for yieldlab: the harness is harness.py, the cases
are cases_*.py by area.  yltest.py --list names them all (CMake registers
that list); yltest.py --yieldlab BIN --workdir DIR --case NAME runs one."""
import sys

import harness
import cases_basic  # noqa: F401
import cases_ipi  # noqa: F401
import cases_vms  # noqa: F401
import cases_host  # noqa: F401
import cases_coop  # noqa: F401
import cases_warnings  # noqa: F401
import cases_compare  # noqa: F401
import cases_model  # noqa: F401
import cases_sim  # noqa: F401
import cases_kernel  # noqa: F401

if __name__ == "__main__":
    sys.exit(harness.main())
