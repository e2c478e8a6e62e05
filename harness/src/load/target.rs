//! The URL that a load run requests, restricted to loopback addresses so
//! that no run can send traffic off the host it runs on.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use hyper::Uri;

/// A parsed `http://` URL whose host is a loopback address.
#[derive(Debug, Clone)]
pub struct Target {
    url: String,
    address: SocketAddr,
    /// The `Host` header value: the URL's authority without user info.
    host_header: String,
    /// The request target in origin form (`/path?query`).
    path_and_query: Uri,
}

/// A URL that cannot be a load target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("invalid URL `{url}`: {reason}")]
    Invalid { url: String, reason: String },
    #[error("unsupported scheme in `{url}`: only http:// is supported")]
    Scheme { url: String },
    #[error(
        "host `{host}` in `{url}` is not a loopback address; \
         use 127.0.0.1 (or another 127.0.0.0/8 address), [::1] or localhost"
    )]
    NotLoopback { url: String, host: String },
}

impl Target {
    /// Parses `url` and checks that its host is in 127.0.0.0/8, is `::1` or
    /// is `localhost`. `localhost` resolves to 127.0.0.1 here, without the
    /// system resolver, so a statically linked binary needs no NSS modules.
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let uri: Uri =
            url.parse()
                .map_err(|error: hyper::http::uri::InvalidUri| TargetError::Invalid {
                    url: url.to_string(),
                    reason: error.to_string(),
                })?;

        match uri.scheme_str() {
            Some("http") => {}
            Some(_) => {
                return Err(TargetError::Scheme {
                    url: url.to_string(),
                })
            }
            None => {
                return Err(TargetError::Invalid {
                    url: url.to_string(),
                    reason: "missing scheme; write it as http://127.0.0.1:PORT/PATH".to_string(),
                })
            }
        }

        let authority = uri.authority().ok_or_else(|| TargetError::Invalid {
            url: url.to_string(),
            reason: "missing host".to_string(),
        })?;
        let host = authority.host();
        let ip = loopback_ip(host).ok_or_else(|| TargetError::NotLoopback {
            url: url.to_string(),
            host: host.to_string(),
        })?;
        let port = authority.port_u16().unwrap_or(80);
        let host_header = match authority.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };

        let path_and_query = uri
            .path_and_query()
            .map(|path| path.as_str())
            .unwrap_or("/")
            .parse()
            .map_err(|error: hyper::http::uri::InvalidUri| TargetError::Invalid {
                url: url.to_string(),
                reason: error.to_string(),
            })?;

        Ok(Target {
            url: url.to_string(),
            address: SocketAddr::new(ip, port),
            host_header,
            path_and_query,
        })
    }

    /// Returns the URL as given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Returns the socket address that requests connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub(crate) fn host_header(&self) -> &str {
        &self.host_header
    }

    pub(crate) fn path_and_query(&self) -> &Uri {
        &self.path_and_query
    }
}

/// Returns the address for a loopback `host`, or `None` for any other host.
fn loopback_ip(host: &str) -> Option<IpAddr> {
    if host.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    // `Uri` keeps the brackets around an IPv6 literal.
    let literal = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = literal.parse().ok()?;
    ip.is_loopback().then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_loopback_hosts() {
        let cases = [
            ("http://127.0.0.1:8080/health", "127.0.0.1:8080", "/health"),
            ("http://127.1.2.3/", "127.1.2.3:80", "/"),
            ("http://[::1]:9000/a?b=c", "[::1]:9000", "/a?b=c"),
            ("http://localhost:9000", "127.0.0.1:9000", "/"),
            ("http://LOCALHOST:9000/x", "127.0.0.1:9000", "/x"),
        ];
        for (url, address, path) in cases {
            let target = Target::parse(url).unwrap_or_else(|error| panic!("{url}: {error}"));
            assert_eq!(target.address().to_string(), address, "address of {url}");
            assert_eq!(target.path_and_query().to_string(), path, "path of {url}");
        }
    }

    #[test]
    fn parse_keeps_host_header_as_written() {
        let target = Target::parse("http://localhost:9000/").unwrap();
        assert_eq!(target.host_header(), "localhost:9000");

        let target = Target::parse("http://[::1]/").unwrap();
        assert_eq!(target.host_header(), "[::1]");
    }

    #[test]
    fn parse_rejects_other_hosts() {
        let urls = [
            "http://10.0.0.1/",
            "http://192.168.1.1:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://example.com/",
            "http://localhost.example.com/",
            "http://127.0.0.1.example.com/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0:8080/",
        ];
        for url in urls {
            let error = Target::parse(url).expect_err(url);
            assert!(
                matches!(error, TargetError::NotLoopback { .. }),
                "{url}: expected NotLoopback, got {error:?}"
            );
        }
    }

    #[test]
    fn parse_rejects_other_schemes_and_garbage() {
        assert!(matches!(
            Target::parse("https://127.0.0.1/"),
            Err(TargetError::Scheme { .. })
        ));
        assert!(matches!(
            Target::parse("127.0.0.1:8080"),
            Err(TargetError::Invalid { .. }) | Err(TargetError::Scheme { .. })
        ));
        assert!(matches!(
            Target::parse("http://"),
            Err(TargetError::Invalid { .. })
        ));
        assert!(matches!(
            Target::parse("not a url"),
            Err(TargetError::Invalid { .. })
        ));
    }
}
