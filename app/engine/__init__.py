"""The BPMN engine: safe expressions, safe loading, and the one wrapper around SpiffWorkflow."""
import logging

# SpiffWorkflow logs every task state change at INFO ("State changed to READY"): eight or more lines per
# step in a worker running at INFO (a timer burst wrote 76 000 lines). The timeline and the audit trail
# record what happened; its warnings and errors still come through.
logging.getLogger("spiff").setLevel(logging.WARNING)
