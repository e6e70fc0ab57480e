# Writes ${OUT}: YL_VERSION from `git describe` when built from a clone,
# else the project's version; rewritten only when it changes, so a build
# after a commit says which commit it is without rebuilding everything.
execute_process(COMMAND git -C ${SRC} describe --always --dirty --tags
	OUTPUT_VARIABLE git_ver OUTPUT_STRIP_TRAILING_WHITESPACE
	RESULT_VARIABLE rc ERROR_QUIET)
if(rc EQUAL 0 AND git_ver)
	set(ver "${BASE}+${git_ver}")
else()
	set(ver "${BASE}")
endif()
set(text "#define YL_VERSION \"${ver}\"\n")
if(EXISTS ${OUT})
	file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
	file(WRITE ${OUT} "${text}")
endif()
