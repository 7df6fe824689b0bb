//! Conversion to kube-rs types (feature `kube`): a [`kube::config::Kubeconfig`] and a
//! [`kube::Config`] to build a `kube::Client` from.

use super::{ClusterEntry, KubeconfigError, MergeOptions, Merged, Secrets};

impl ClusterEntry {
    /// This entry as a kube-rs kubeconfig with one cluster, one user and one context, the
    /// current one. It goes through the same YAML as [`update_file`](super::update_file)
    /// writes, so it shows that kube-rs reads that YAML.
    pub fn to_kube_kubeconfig(&self) -> Result<kube::config::Kubeconfig, KubeconfigError> {
        super::merge("", self, &MergeOptions::default())?.to_kube_kubeconfig()
    }

    /// A [`kube::Config`] for this entry's context, built with
    /// [`kube::Config::from_custom_kubeconfig`]; `kube::Client::try_from` turns it into a
    /// client (with kube's `client` feature).
    pub async fn to_kube_config(&self) -> Result<kube::Config, KubeconfigError> {
        let options = kube::config::KubeConfigOptions {
            context: Some(self.name().to_owned()),
            ..Default::default()
        };
        kube::Config::from_custom_kubeconfig(self.to_kube_kubeconfig()?, &options)
            .await
            .map_err(|e| KubeconfigError::Kube(e.to_string()))
    }
}

impl Merged {
    /// The merged kubeconfig as kube-rs reads it.
    pub fn to_kube_kubeconfig(&self) -> Result<kube::config::Kubeconfig, KubeconfigError> {
        let yaml = self.to_yaml(Secrets::Show)?;
        kube::config::Kubeconfig::from_yaml(&yaml).map_err(|e| KubeconfigError::Kube(e.to_string()))
    }
}
