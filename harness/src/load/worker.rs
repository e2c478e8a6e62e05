//! The one worker function of both load models. A worker owns one
//! keep-alive connection, takes slots from the shared schedule and sends
//! one request per slot.

use std::error::Error as StdError;
use std::io;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderValue, HOST, USER_AGENT};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::AbortHandle;

use super::schedule::Schedule;
use super::tally::{Outcome, Tally};
use super::target::Target;
use super::timer::StartTimer;

const USER_AGENT_VALUE: &str = concat!("alive-load/", env!("CARGO_PKG_VERSION"));

/// Sends one request per slot of `schedule` until it runs out, and
/// returns the tally of their outcomes.
pub(crate) async fn run_worker(target: &Target, timeout: Duration, schedule: &Schedule) -> Tally {
    let mut connection = Connection::new(target);
    let mut timer = StartTimer::new();
    let mut tally = Tally::new();
    while let Some(slot) = schedule.next_slot(&mut timer).await {
        let outcome = connection.send(timeout).await;
        tally.record(outcome, Instant::now() - slot.start, slot.late);
    }
    tally
}

/// One HTTP/1.1 connection to the target, opened when a request needs it
/// and opened again after it failed or closed.
struct Connection<'a> {
    target: &'a Target,
    host_header: HeaderValue,
    open: Option<Open>,
}

struct Open {
    sender: SendRequest<Empty<Bytes>>,
    /// The task that drives the connection's I/O.
    driver: AbortHandle,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// A failed attempt, and whether the request was never written, so that
/// it can be sent again on a new connection.
struct Failure {
    outcome: Outcome,
    unsent: bool,
}

impl<'a> Connection<'a> {
    fn new(target: &'a Target) -> Connection<'a> {
        let host_header = HeaderValue::from_str(target.host_header())
            .expect("a host and port parsed from a URI are a valid header value");
        Connection {
            target,
            host_header,
            open: None,
        }
    }

    /// Sends one request and reads its whole response within `timeout`.
    /// After a timeout the connection is closed, because it is in the
    /// middle of a response and cannot carry the next request.
    async fn send(&mut self, timeout: Duration) -> Outcome {
        tokio::time::timeout(timeout, self.exchange())
            .await
            .unwrap_or(Outcome::Timeout)
    }

    /// Sends one request, on a new connection if none is open. A request
    /// that an idle keep-alive connection closed before it was written is
    /// sent once more on a new connection, because the server closing an
    /// idle connection is no error of this request.
    ///
    /// NOTE: when a server closes a keep-alive connection without
    /// `Connection: close` just as the next request is written, that
    /// request fails as a connect error and is not sent again. Against a
    /// server that silently closed after every third response, 7 to 12 %
    /// of the closes failed a request this way in the closed model, and
    /// none did in the open model at 200 requests/s over 2 connections.
    async fn exchange(&mut self) -> Outcome {
        let reused = self.open.is_some();
        let failure = match self.attempt().await {
            Ok(outcome) => return outcome,
            Err(failure) => failure,
        };
        if !(reused && failure.unsent) {
            return failure.outcome;
        }
        match self.attempt().await {
            Ok(outcome) => outcome,
            Err(failure) => failure.outcome,
        }
    }

    /// Sends one request on the open connection, or on a new one. The
    /// connection stays open only after a complete response on it.
    async fn attempt(&mut self) -> Result<Outcome, Failure> {
        let request = self.request();
        let mut open = match self.open.take() {
            Some(open) => open,
            None => connect(self.target).await.map_err(|outcome| Failure {
                outcome,
                unsent: false,
            })?,
        };

        let result = send_and_read(&mut open.sender, request).await;
        if result.is_ok() {
            self.open = Some(open);
        }
        result
    }

    fn request(&self) -> Request<Empty<Bytes>> {
        let mut request = Request::new(Empty::new());
        *request.uri_mut() = self.target.path_and_query().clone();
        let headers = request.headers_mut();
        headers.insert(HOST, self.host_header.clone());
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        request
    }
}

/// Opens a TCP connection to the target and starts HTTP/1.1 on it.
async fn connect(target: &Target) -> Result<Open, Outcome> {
    let stream = TcpStream::connect(target.address())
        .await
        .map_err(|_| Outcome::Connect)?;
    // Requests are small and each waits for its response, so Nagle's
    // algorithm would only add delay.
    stream.set_nodelay(true).map_err(|_| Outcome::Connect)?;

    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| Outcome::Connect)?;
    let driver = tokio::spawn(async move {
        // An I/O error here also fails the request in flight, which is
        // where it is counted.
        let _ = connection.await;
    })
    .abort_handle();
    Ok(Open { sender, driver })
}

/// Sends `request` once the connection is ready for it and reads the
/// whole response.
async fn send_and_read(
    sender: &mut SendRequest<Empty<Bytes>>,
    request: Request<Empty<Bytes>>,
) -> Result<Outcome, Failure> {
    if let Err(error) = sender.ready().await {
        return Err(Failure {
            outcome: classify(&error),
            unsent: true,
        });
    }
    let response = sender
        .try_send_request(request)
        .await
        .map_err(|mut error| {
            let unsent = error.take_message().is_some();
            Failure {
                outcome: classify(error.error()),
                unsent,
            }
        })?;
    read_response(response).await.map_err(|error| Failure {
        outcome: classify(&error),
        unsent: false,
    })
}

/// Reads the whole response body and returns the outcome of its status.
async fn read_response(response: Response<Incoming>) -> Result<Outcome, hyper::Error> {
    let status = response.status();
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        frame?;
    }
    if status.is_success() {
        Ok(Outcome::Ok)
    } else {
        Ok(Outcome::Status(status.as_u16()))
    }
}

/// Sorts a hyper error into a connection failure or any other failure.
fn classify(error: &hyper::Error) -> Outcome {
    if error.is_canceled() || error.is_closed() || error.is_incomplete_message() {
        return Outcome::Connect;
    }
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if let Some(io_error) = cause.downcast_ref::<io::Error>() {
            return match io_error.kind() {
                io::ErrorKind::ConnectionRefused
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::NotConnected
                | io::ErrorKind::UnexpectedEof => Outcome::Connect,
                _ => Outcome::Other,
            };
        }
        source = cause.source();
    }
    Outcome::Other
}
