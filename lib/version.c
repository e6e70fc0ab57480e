// SPDX-License-Identifier: GPL-2.0
#include "util.h"
#include "version.h"

/* The build: the project's version and git describe (cmake/version.cmake). */
const char *yl_version(void)
{
	return YL_VERSION;
}
