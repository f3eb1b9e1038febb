//! A router served on 127.0.0.1 in a spawned task, with a handle that stops it.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server running on 127.0.0.1; dropping it (or [`Server::shutdown`]) stops it.
pub struct Server {
    /// e.g. `http://127.0.0.1:41234`
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds `127.0.0.1:port` (0 picks a free port) and serves `router` until stopped.
pub async fn serve(router: Router, port: u16, name: &'static str) -> std::io::Result<Server> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, simulator = name, "simulator stopped with an error");
        }
    });
    tracing::info!(%addr, simulator = name, "simulator listening");
    Ok(Server {
        base_url: format!("http://{addr}"),
        stop: Some(stop),
        task: Some(task),
    })
}

impl Server {
    /// Stops serving and waits (at most 5 s) for open connections to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
