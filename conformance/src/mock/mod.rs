//! A local CCE server that speaks the spec (issue 5). To come.
