//! Ending a session through systemd-logind: the session is found by its
//! leader's pid (`GetSessionByPID`, which anyone may ask) and ended with
//! `Session.Terminate`, which polkit allows the daemon's user by the
//! shipped rule (`org.freedesktop.login1.manage` for user monban, and
//! nothing else; README "Logout after inactivity").

use zbus::zvariant::OwnedObjectPath;

const LOGIND: &str = "org.freedesktop.login1";

/// Ends the logind session `pid` belongs to; its id on success, the
/// reason (no system bus, no logind, no such session, refused) otherwise.
pub async fn terminate_session_of(pid: u32) -> Result<String, String> {
    let bus = zbus::Connection::system()
        .await
        .map_err(|e| format!("no system bus: {e}"))?;
    let manager = zbus::Proxy::new(
        &bus,
        LOGIND,
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager",
    )
    .await
    .map_err(|e| format!("logind: {e}"))?;
    let path: OwnedObjectPath = manager
        .call("GetSessionByPID", &(pid,))
        .await
        .map_err(|e| format!("no logind session for pid {pid}: {e}"))?;
    let session = zbus::Proxy::new(&bus, LOGIND, path, "org.freedesktop.login1.Session")
        .await
        .map_err(|e| format!("logind: {e}"))?;
    let id: String = session
        .get_property("Id")
        .await
        .map_err(|e| format!("logind session id: {e}"))?;
    session
        .call_method("Terminate", &())
        .await
        .map_err(|e| format!("logind refused to end session {id}: {e}"))?;
    Ok(id)
}
