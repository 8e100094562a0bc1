"""The BPMN engine: safe expressions, safe loading, and the one wrapper around SpiffWorkflow."""
