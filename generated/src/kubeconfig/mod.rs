//! From a response to a kubeconfig a person can use (issue 6). To come.
