//! The SMTP side: one relay, reached with lettre over tokio and rustls.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use monban_config::{MailConfig, MailTls};

/// A relay that does not answer within this counts as failed (and is
/// tried again later): the outbox never waits long on one mail.
const TIMEOUT: Duration = Duration::from_secs(15);

pub struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Relay {
    pub fn new(cfg: &MailConfig) -> Result<Self, String> {
        let (host, port) = cfg
            .relay_parts()
            .ok_or_else(|| "must be \"host:port\"".to_string())?;
        let tls = match cfg.tls {
            MailTls::None => Tls::None,
            MailTls::Starttls => Tls::Required(parameters(cfg, host)?),
            MailTls::Tls => Tls::Wrapper(parameters(cfg, host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some(path) = &cfg.password_file {
            let password = std::fs::read_to_string(path)
                .map_err(|e| format!("[mail] password_file {}: {e}", path.display()))?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            builder = builder.credentials(Credentials::new(cfg.username.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
        })
    }

    pub async fn send(
        &self,
        from: &str,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), String> {
        let message = Message::builder()
            .from(from.parse().map_err(|e| format!("[mail] from: {e}"))?)
            .to(to.parse().map_err(|e| format!("recipient {to}: {e}"))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

fn parameters(cfg: &MailConfig, host: &str) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(host.to_string());
    if let Some(path) = &cfg.ca_file {
        let pem =
            std::fs::read(path).map_err(|e| format!("[mail] ca_file {}: {e}", path.display()))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| format!("[mail] ca_file {}: {e}", path.display()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build().map_err(|e| e.to_string())
}
