//! A region's endpoints from the process environment, as `ClientBuilder::build` reads it: the
//! override variable's comma-separated list (and, with the feature `regions-file`, the
//! regions file the environment names), each endpoint used in turn. One test in its own
//! binary, since it sets variables of the process.

mod support;

use clustercert_runtime::endpoint::{RegionServer, RegionTemplate};
use clustercert_runtime::{ClientBuilder, RetryPolicy, Transport};
use support::{refused_addr, serve_always, Reply};

const SERVERS: &[RegionServer] = &[RegionServer::new(
    "https://svc.{region}.invalid",
    &["known-1"],
)];

fn builder(template: RegionTemplate, region: &str) -> ClientBuilder<Transport> {
    ClientBuilder::<Transport>::new()
        .region_template(template)
        .region(region)
        .token("t")
        .retry(RetryPolicy::none())
}

#[tokio::test]
async fn a_region_resolved_to_several_endpoints_uses_them_all() {
    let closed = refused_addr().await;
    let live = serve_always(Reply::json(200, "{}")).await;
    let template = RegionTemplate::with_servers(SERVERS, Some("CLUSTERCERT_TEST_REGION_SVC_"));
    std::env::set_var(
        "CLUSTERCERT_TEST_REGION_SVC_XX_1",
        format!(" http://{closed} , {}/ ", live.url()),
    );
    let t = builder(template, "xx-1").build().unwrap();
    assert_eq!(t.endpoints(), [format!("http://{closed}"), live.url()]);
    assert_eq!(t.send(support::get_request()).await.unwrap().attempts, 2);
    assert_eq!(live.count(), 1);

    std::env::set_var("CLUSTERCERT_TEST_REGION_SVC_XX_1", "http://a,,http://b");
    let err = builder(template, "xx-1").build().unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid input: CLUSTERCERT_TEST_REGION_SVC_XX_1: entry 2 of the comma-separated list is empty"
    );
    std::env::remove_var("CLUSTERCERT_TEST_REGION_SVC_XX_1");
    let err = builder(template, "xx-1").build().unwrap_err().to_string();
    assert!(
        err.contains("is not the one region this client knows;") && err.ends_with("known: known-1"),
        "{err}"
    );

    #[cfg(feature = "regions-file")]
    {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("regions.yaml");
        std::fs::write(
            &file,
            format!(
                "svc:\n  - id: yy-1\n    endpoints: ['http://{closed}']\n    endpoint: {}\n",
                live.url()
            ),
        )
        .unwrap();
        std::env::set_var("HUAWEICLOUD_SDK_REGIONS_FILE", &file);
        let t = builder(template.profile_key("SVC"), "yy-1")
            .build()
            .unwrap();
        assert_eq!(t.endpoints(), [format!("http://{closed}"), live.url()]);
        assert_eq!(t.send(support::get_request()).await.unwrap().attempts, 2);
        assert_eq!(live.count(), 2);
        // Without the profile key the file is not read.
        let err = builder(template, "yy-1").build().unwrap_err().to_string();
        assert!(err.contains("\"yy-1\" is not the one region"), "{err}");
        std::env::remove_var("HUAWEICLOUD_SDK_REGIONS_FILE");
    }
}
