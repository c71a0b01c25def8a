//! HTTP(S) serving, routing, authorization and request recording.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::apply::{self, Failure};
use super::resources::{self, Resource};
use super::{Request, State};

type Reply = (u16, Value);

pub async fn serve(
    state: Arc<Mutex<State>>,
    tls: bool,
    ready: std::sync::mpsc::Sender<(SocketAddr, Option<String>)>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (acceptor, ca_pem) = if tls {
        let (acceptor, ca) = tls_acceptor();
        (Some(acceptor), Some(ca))
    } else {
        (None, None)
    };
    ready.send((addr, ca_pem)).unwrap();
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted { Ok(s) => s, Err(_) => continue },
            _ = &mut stop => return,
        };
        let state = Arc::clone(&state);
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = Arc::clone(&state);
                async move { Ok::<_, std::convert::Infallible>(handle(state, req).await) }
            });
            let builder = hyper::server::conn::http1::Builder::new();
            match acceptor {
                Some(a) => {
                    if let Ok(tls) = a.accept(stream).await {
                        let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                    }
                }
                None => {
                    let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                }
            }
        });
    }
}

/// A CA and a certificate for 127.0.0.1 and localhost signed by it.
fn tls_acceptor() -> (tokio_rustls::TlsAcceptor, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "fake-apiserver test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    params
        .distinguished_name
        .push(DnType::CommonName, "fake-apiserver");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    (tokio_rustls::TlsAcceptor::from(Arc::new(config)), ca.pem())
}

fn respond((status, body): Reply) -> Response<Full<Bytes>> {
    // A bare string is a plain-text answer, as the real server's 404 for an unknown API group.
    let (content_type, text) = match body {
        Value::String(s) => ("text/plain; charset=utf-8", s),
        other => ("application/json", other.to_string()),
    };
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(text)))
        .unwrap()
}

fn failure(f: Failure) -> Reply {
    if f.code == 404 && f.reason.is_empty() {
        return (404, Value::String(f.message));
    }
    (f.code, f.body())
}

async fn handle(state: Arc<Mutex<State>>, req: hyper::Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let content_type = header("content-type");
    let auth = header("authorization");
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let latency = state.lock().unwrap().latency_ms;
    if latency > 0 && !is_discovery(&path) {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let mut s = state.lock().unwrap();
    let reply = route(&mut s, &method, &path, &query, &content_type, &auth, &body);
    s.requests.push(Request {
        method: method.to_string(),
        path,
        query,
        content_type,
        body,
        status: reply.0,
    });
    respond(reply)
}

fn is_discovery(path: &str) -> bool {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    matches!(
        segs.as_slice(),
        ["api"] | ["api", _] | ["apis"] | ["apis", _, _] | ["version"]
    )
}

/// A parsed resource URL.
struct Target {
    res: &'static Resource,
    namespace: Option<String>,
    name: Option<String>,
}

fn parse_target(path: &str) -> Result<Option<Target>, Failure> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] if !rest.is_empty() => ("", "v1", rest),
        ["apis", g, v, rest @ ..] if !rest.is_empty() => (*g, *v, rest),
        _ => return Ok(None),
    };
    let (namespace, plural, name) = match rest {
        ["namespaces", ns, plural, tail @ ..] => (Some(ns.to_string()), *plural, tail.first()),
        [plural, tail @ ..] => (None, *plural, tail.first()),
        [] => unreachable!(),
    };
    let not_found = || {
        Failure::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    };
    let Some(res) = resources::find(group, version, plural) else {
        // An API group/version the server does not serve at all: plain text, like the real one.
        if !resources::serves(group, version) {
            return Err(Failure::new(404, "", "404 page not found\n"));
        }
        return Err(not_found());
    };
    if namespace.is_some() && !res.namespaced {
        return Err(not_found());
    }
    Ok(Some(Target {
        res,
        namespace,
        name: name.map(|n| n.to_string()),
    }))
}

fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn verb(method: &Method, named: bool) -> &'static str {
    match (method.as_str(), named) {
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PATCH", _) => "patch",
        ("PUT", _) => "update",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    }
}

/// Authentication and RBAC-style authorization, with the real server's messages.
fn authorize(s: &State, auth: &str, method: &Method, target: Option<&Target>) -> Result<(), Failure> {
    let verb = target.map_or("get", |t| verb(method, t.name.is_some()));
    authorize_verb(s, auth, verb, target)
}

/// Like the real server: a server-side apply (PATCH) of an object that does not exist yet also
/// needs `create` (the recording's `auth.403.apply`; `deploy/rbac.yaml` grants it).
fn authorize_apply_create(s: &State, auth: &str, t: &Target) -> Result<(), Failure> {
    let exists = match (&t.name, t.res.namespaced) {
        (Some(name), _) => apply::get(s, t.res, t.namespace.as_deref(), name).is_ok(),
        (None, _) => true,
    };
    if exists {
        Ok(())
    } else {
        authorize_verb(s, auth, "create", Some(t))
    }
}

fn authorize_verb(s: &State, auth: &str, verb: &str, target: Option<&Target>) -> Result<(), Failure> {
    let Some(tokens) = &s.tokens else {
        return Ok(());
    };
    let token = auth.strip_prefix("Bearer ").unwrap_or("");
    // No credentials at all is the anonymous user, who may do nothing here (403, not 401).
    let anonymous = ("system:anonymous".to_string(), Vec::new());
    let Some((user, grants)) = (if auth.is_empty() {
        Some(&anonymous)
    } else {
        tokens.get(token)
    }) else {
        return Err(Failure::new(401, "Unauthorized", "Unauthorized"));
    };
    let Some(t) = target else {
        return Ok(()); // discovery: every authenticated user
    };
    let (ns, name) = (t.namespace.as_deref(), t.name.as_deref());
    if grants.iter().any(|g| g.allows(verb, t.res.plural, ns, name)) {
        return Ok(());
    }
    let what = match name {
        Some(n) => format!("{} \"{n}\"", t.res.plural),
        None => t.res.plural.to_string(),
    };
    let scope = match ns {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    let mut details = serde_json::json!({"group": t.res.group, "kind": t.res.plural});
    if let Some(n) = name {
        details["name"] = Value::String(n.into());
    }
    Err(Failure::new(
        403,
        "Forbidden",
        format!(
            "{what} is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
            t.res.plural, t.res.group
        ),
    )
    .with_details(details))
}

fn parse_body(body: &str) -> Result<Value, Failure> {
    serde_json::from_str(body)
        .or_else(|_| serde_saphyr::from_str::<Value>(body))
        .map_err(|e| {
            Failure::new(
                400,
                "BadRequest",
                format!("the body of the request was in an unknown format: {e}"),
            )
        })
}

fn route(
    s: &mut State,
    method: &Method,
    path: &str,
    query: &str,
    content_type: &str,
    auth: &str,
    body: &str,
) -> Reply {
    if let Some((_, status)) = s.failures.iter().find(|(p, _)| path.starts_with(p.as_str())) {
        let status = *status;
        let reason = if status == 503 {
            "ServiceUnavailable"
        } else {
            "InternalError"
        };
        return failure(Failure::new(
            status,
            reason,
            "Internal error occurred: injected by the test",
        ));
    }
    let target = match parse_target(path) {
        Ok(t) => t,
        Err(f) => return failure(f),
    };
    if let Err(f) = authorize(s, auth, method, target.as_ref()) {
        return failure(f);
    }
    if let Some(t) = target
        .as_ref()
        .filter(|_| method == Method::PATCH && content_type == "application/apply-patch+yaml")
    {
        if let Err(f) = authorize_apply_create(s, auth, t) {
            return failure(f);
        }
    }
    let Some(t) = target else {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let found = match (method.as_str(), segs.as_slice()) {
            ("GET", ["api"]) => Some(resources::core_versions()),
            ("GET", ["api", "v1"]) => resources::resource_list("", "v1"),
            ("GET", ["apis"]) => Some(resources::group_list()),
            ("GET", ["apis", g, v]) => resources::resource_list(g, v),
            ("GET", ["version"]) => {
                Some(serde_json::json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-fake"}))
            }
            _ => None,
        };
        return match found {
            Some(v) => (200, v),
            // An unserved group/version: plain text, as the real server answers it.
            None if segs.first() == Some(&"apis") => (404, Value::String("404 page not found\n".into())),
            None => failure(Failure::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )),
        };
    };
    let dry_run = param(query, "dryRun") == Some("All");
    let ns = t.namespace.as_deref();
    let manager = param(query, "fieldManager").unwrap_or("unknown").to_string();
    let result = match (method.as_str(), t.name.as_deref()) {
        ("GET", Some(name)) => apply::get(s, t.res, ns, name).map(|v| (200, v)),
        ("GET", None) => Ok((200, apply::list(s, t.res, ns))),
        ("POST", None) => parse_body(body).and_then(|b| apply::create(s, t.res, ns, b, &manager, dry_run)),
        ("DELETE", Some(name)) => apply::delete(s, t.res, ns, name, dry_run).map(|v| (200, v)),
        ("PUT", Some(name)) => {
            parse_body(body).and_then(|b| apply::update(s, t.res, ns, name, b, &manager, dry_run))
        }
        ("PATCH", Some(name)) if content_type == "application/merge-patch+json" => {
            parse_body(body).and_then(|b| apply::merge_patch(s, t.res, ns, name, &b, dry_run))
        }
        ("PATCH", Some(name)) => {
            if content_type != "application/apply-patch+yaml" {
                Err(Failure::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml (this fake serves no {content_type})")))
            } else if param(query, "fieldManager").is_none() {
                Err(Failure::new(
                    422,
                    "Invalid",
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                )
                .with_details(serde_json::json!({"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [{"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}]})))
            } else {
                let force = param(query, "force") == Some("true");
                parse_body(body).and_then(|b| apply::apply(s, t.res, ns, name, b, &manager, force, dry_run))
            }
        }
        _ => Err(Failure::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )),
    };
    result.unwrap_or_else(failure)
}
