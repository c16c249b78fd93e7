# cmake -DSCDOC=... -DINPUT=... -DOUTPUT=... -P scdoc.cmake: scdoc < INPUT > OUTPUT, with a fixed
# date so the page is reproducible.
set(ENV{SOURCE_DATE_EPOCH} 1795305600)
execute_process(COMMAND ${SCDOC} INPUT_FILE ${INPUT} OUTPUT_FILE ${OUTPUT} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE ${OUTPUT})
  message(FATAL_ERROR "scdoc failed on ${INPUT}")
endif()
