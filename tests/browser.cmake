# The explorer in a real browser (tests/browser/explorer_test.py): headless
# Chromium through chromedriver (python3-selenium) against a 3-node cluster
# of this build's programs. Label `browser`, so the sanitizer runs
# (-L unit, -L 'unit|integration') leave it out; Release builds only, since
# it measures nothing a sanitizer would and starts a browser.
# Screenshots of every page: <build>/tests/browser-artifacts/.
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  find_program(PLEDGER_DEBIAN_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)  # where python3-selenium is
  add_test(NAME "browser: the explorer in headless Chromium against a 3-node cluster"
           COMMAND ${PLEDGER_DEBIAN_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/browser/explorer_test.py
                   --bin ${PROJECT_BINARY_DIR}/bin --source ${PROJECT_SOURCE_DIR}
                   --artifacts ${CMAKE_CURRENT_BINARY_DIR}/browser-artifacts
                   --work ${CMAKE_CURRENT_BINARY_DIR}/browser-work)
  set_tests_properties("browser: the explorer in headless Chromium against a 3-node cluster" PROPERTIES
                       LABELS browser RUN_SERIAL TRUE TIMEOUT 600)
endif()
