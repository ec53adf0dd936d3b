//! Raw Kubernetes manifests, built as typed objects from the deployment model.
