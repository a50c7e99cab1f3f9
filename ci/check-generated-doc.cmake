# Fails when docs/CHECKS.md differs from what `loginspec list --format markdown` generates now.
execute_process(COMMAND "${LOGINSPEC}" list --format markdown OUTPUT_VARIABLE generated RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "loginspec list --format markdown failed with exit code ${code}")
endif()
file(READ "${DOC}" committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "${DOC} is out of date; regenerate it with: "
                      "build/default/harness/loginspec list --format markdown > docs/CHECKS.md")
endif()
