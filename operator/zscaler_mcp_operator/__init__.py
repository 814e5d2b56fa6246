"""The Zscaler MCP operator: ZscalerMCP resources reconciled into gateway ConfigMaps, Deployments and Services.

Pure modules (crd, spec, builders, drift, status, docs) decide; thin ones (kube, reconcile, handlers,
cli) talk to the cluster and to kopf.
"""
