//! The load generator against small HTTP/1.1 servers on 127.0.0.1 in this
//! process, and the alive-load program's arguments and output.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use alive_harness::load::{self, Config, ConfigError, Report, TargetError};

/// What the test server does with the request of a given number, counted
/// from 0 over all connections.
#[derive(Debug, Clone, Copy)]
enum Reply {
    /// Responds with `status` after `delay`; with `close`, adds
    /// `Connection: close` and closes the connection after the response.
    Respond {
        status: u16,
        delay: Duration,
        close: bool,
    },
    /// Closes the connection without a response.
    Drop,
}

const OK: Reply = Reply::Respond {
    status: 200,
    delay: Duration::ZERO,
    close: false,
};

type Behaviour = Arc<dyn Fn(u64) -> Reply + Send + Sync>;

/// An HTTP/1.1 keep-alive server with one thread per connection, stopped
/// on drop.
struct TestServer {
    address: SocketAddr,
    requests: Arc<AtomicU64>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl TestServer {
    fn start(behaviour: impl Fn(u64) -> Reply + Send + Sync + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicU64::new(0));
        let stopping = Arc::new(AtomicBool::new(false));
        let behaviour: Behaviour = Arc::new(behaviour);

        let acceptor = {
            let requests = Arc::clone(&requests);
            let stopping = Arc::clone(&stopping);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let requests = Arc::clone(&requests);
                    let behaviour = Arc::clone(&behaviour);
                    thread::spawn(move || serve(stream, &requests, &behaviour));
                }
            })
        };

        TestServer {
            address,
            requests,
            stopping,
            acceptor: Some(acceptor),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/health", self.address)
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the acceptor so that it checks `stopping` and exits.
        let _ = TcpStream::connect(self.address);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Serves requests on one connection until the client closes it.
fn serve(stream: TcpStream, requests: &AtomicU64, behaviour: &Behaviour) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone the connection"));
    let mut writer = stream;
    loop {
        if !read_request_head(&mut reader) {
            return;
        }
        let number = requests.fetch_add(1, Ordering::SeqCst);
        match behaviour(number) {
            Reply::Drop => return,
            Reply::Respond {
                status,
                delay,
                close,
            } => {
                thread::sleep(delay);
                let connection = if close { "Connection: close\r\n" } else { "" };
                let response = format!(
                    "HTTP/1.1 {status} Test\r\nContent-Type: text/plain\r\n{connection}Content-Length: 2\r\n\r\nok"
                );
                if writer.write_all(response.as_bytes()).is_err() || close {
                    return;
                }
            }
        }
    }
}

/// Reads one request head. Returns false at the end of the connection.
/// Requests of the load generator have no body.
fn read_request_head(reader: &mut BufReader<TcpStream>) -> bool {
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) if line == "\r\n" => return true,
            Ok(_) => {}
        }
    }
}

fn run(config: &Config) -> Report {
    load::run(config)
        .unwrap_or_else(|error| panic!("load run against {} failed: {error}", config.target.url()))
}

#[test]
fn closed_model_sends_exactly_n_requests() {
    let server = TestServer::start(|_| OK);
    let config = Config::closed(&server.url(), 1_000)
        .unwrap()
        .with_connections(4);

    let report = run(&config);

    assert_eq!(report.sent, 1_000, "{report:#?}");
    assert_eq!(report.ok, 1_000, "{report:#?}");
    assert_eq!(report.errors.total(), 0, "{report:#?}");
    assert_eq!(server.requests(), 1_000, "requests the server received");
    assert_eq!(report.latency_us.count, 1_000);
    assert_eq!(report.percentiles.len(), load::listed_quantiles().count());
    assert_eq!(report.model, "closed");
    assert_eq!(report.connections, 4);
    assert!(report.rate_per_s > 0.0, "{report:#?}");
    assert!(!report.time_limit_reached);
}

#[test]
fn server_errors_count_as_status_errors() {
    let server = TestServer::start(|number| Reply::Respond {
        status: if number % 2 == 0 { 500 } else { 503 },
        delay: Duration::ZERO,
        close: false,
    });
    let config = Config::closed(&server.url(), 100)
        .unwrap()
        .with_connections(2);

    let report = run(&config);

    assert_eq!(report.sent, 100, "{report:#?}");
    assert_eq!(report.ok, 0, "{report:#?}");
    assert_eq!(report.errors.status, 100, "{report:#?}");
    assert_eq!(report.errors.by_status.get(&500), Some(&50), "{report:#?}");
    assert_eq!(report.errors.by_status.get(&503), Some(&50), "{report:#?}");
    assert_eq!(
        report.errors.connect + report.errors.timeout + report.errors.other,
        0
    );
    assert_eq!(
        report.latency_us.count, 0,
        "error responses record no latency"
    );
    assert!(report.percentiles.is_empty());
}

#[test]
fn open_model_shows_stalls_in_p99() {
    // One request in 50 stalls for 50 ms. The stalls alone are 2 % of the
    // requests, so p99 includes them. With one connection, the requests
    // scheduled during a stall wait for it, and their latency counts from
    // their intended start.
    let server = TestServer::start(|number| Reply::Respond {
        status: 200,
        delay: if number % 50 == 49 {
            Duration::from_millis(50)
        } else {
            Duration::ZERO
        },
        close: false,
    });
    let config = Config::open(&server.url(), 200.0, Duration::from_secs(2))
        .unwrap()
        .with_connections(1);

    let report = run(&config);

    assert_eq!(report.sent, 400, "{report:#?}");
    assert_eq!(report.ok, 400, "{report:#?}");
    assert!(
        report.latency_us.p99 >= 50_000,
        "p99 {} µs should include the 50 ms stalls: {report:#?}",
        report.latency_us.p99
    );
    assert!(
        report.late >= 8,
        "the 8 stalls should each make a later request start late: {report:#?}"
    );
    assert!(
        report.latency_us.p95 >= 20_000,
        "p95 {} µs should include requests queued behind the stalls",
        report.latency_us.p95
    );
}

#[test]
fn closed_port_counts_connect_errors() {
    let address = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let config = Config::closed(&format!("http://{address}/"), 20)
        .unwrap()
        .with_connections(2);

    let report = run(&config);

    assert_eq!(report.sent, 20, "{report:#?}");
    assert_eq!(report.errors.connect, 20, "{report:#?}");
    assert_eq!(report.ok, 0);
}

#[test]
fn dropped_connection_is_reopened() {
    let server = TestServer::start(|number| if number % 10 == 9 { Reply::Drop } else { OK });
    let config = Config::closed(&server.url(), 100)
        .unwrap()
        .with_connections(1);

    let report = run(&config);

    assert_eq!(report.sent, 100, "{report:#?}");
    assert_eq!(report.errors.connect, 10, "{report:#?}");
    assert_eq!(report.ok, 90, "{report:#?}");
}

#[test]
fn connection_close_responses_cause_no_errors() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 200,
        delay: Duration::ZERO,
        close: true,
    });
    let config = Config::closed(&server.url(), 200)
        .unwrap()
        .with_connections(2);

    let report = run(&config);

    assert_eq!(report.ok, 200, "{report:#?}");
    assert_eq!(report.errors.total(), 0, "{report:#?}");
}

#[test]
fn slow_response_counts_as_timeout() {
    let server = TestServer::start(|number| Reply::Respond {
        status: 200,
        delay: if number == 3 {
            Duration::from_secs(1)
        } else {
            Duration::ZERO
        },
        close: false,
    });
    let config = Config::closed(&server.url(), 10)
        .unwrap()
        .with_timeout(Duration::from_millis(100));

    let report = run(&config);

    assert_eq!(report.errors.timeout, 1, "{report:#?}");
    assert_eq!(report.ok, 9, "{report:#?}");
}

#[test]
fn time_limit_stops_closed_model() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 200,
        delay: Duration::from_millis(20),
        close: false,
    });
    let config = Config::closed(&server.url(), 1_000_000)
        .unwrap()
        .with_time_limit(Duration::from_millis(300));

    let report = run(&config);

    assert!(report.time_limit_reached, "{report:#?}");
    assert!(report.sent < 100, "{report:#?}");
    assert!(report.duration_s < 5.0, "{report:#?}");
}

#[test]
fn non_loopback_url_is_rejected() {
    for url in [
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "http://example.com/",
    ] {
        let error = Config::closed(url, 1).expect_err(url);
        assert!(
            matches!(error, ConfigError::Target(TargetError::NotLoopback { .. })),
            "{url}: {error:?}"
        );
    }
}

fn alive_load() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alive-load"))
}

#[test]
fn program_rejects_non_loopback_url_with_status_2() {
    let output = alive_load()
        .args(["--requests", "1", "http://192.168.1.1/"])
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("not a loopback address"),
        "stderr: {stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn program_rejects_bad_arguments_with_status_2() {
    let cases: [&[&str]; 4] = [
        &["http://127.0.0.1:1/"],
        &[
            "--requests",
            "5",
            "--rate",
            "10",
            "--duration",
            "1s",
            "http://127.0.0.1:1/",
        ],
        &["--rate", "10", "http://127.0.0.1:1/"],
        &[
            "--requests",
            "5",
            "--timeout",
            "soon",
            "http://127.0.0.1:1/",
        ],
    ];
    for args in cases {
        let output = alive_load().args(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn program_prints_json_report() {
    let server = TestServer::start(|_| OK);
    let output = alive_load()
        .args([
            "--requests",
            "50",
            "--connections",
            "2",
            "--json",
            &server.url(),
        ])
        .output()
        .unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Report =
        serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{error}: {stdout}"));
    assert_eq!(report.ok, 50);
    assert_eq!(report.url, server.url());
}

#[test]
fn program_prints_summary_and_exits_0_on_errors() {
    let server = TestServer::start(|_| Reply::Respond {
        status: 404,
        delay: Duration::ZERO,
        close: false,
    });
    let output = alive_load()
        .args(["-n", "10", &server.url()])
        .output()
        .unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "stdout: {stdout}");
    assert!(
        stdout.contains("sent 10, ok 0, errors 10"),
        "stdout: {stdout}"
    );
    assert!(stdout.contains("404: 10"), "stdout: {stdout}");
}
