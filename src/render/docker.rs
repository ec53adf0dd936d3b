//! Dockerfiles and their .dockerignore files, rendered from the deployment model.
