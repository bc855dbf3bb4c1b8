//! Readings from /proc: the daemon's memory and threads (once, or sampled
//! in the background), CPU time, the load average.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Status {
    pub rss_kib: u64,
    pub hwm_kib: u64,
    pub threads: u64,
}

pub fn read_status(pid: i32) -> Option<Status> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    Some(Status {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
        threads: field("Threads:")?,
    })
}

/// Polls the daemon's RSS and thread count in the background.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<(u64, u64)>,
}

impl Sampler {
    pub fn start(pid: i32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let (mut rss, mut threads) = (0, 0);
            loop {
                if let Some(s) = read_status(pid) {
                    rss = rss.max(s.rss_kib);
                    threads = threads.max(s.threads);
                }
                if flag.load(Ordering::Relaxed) {
                    return (rss, threads);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Self { stop, handle }
    }

    /// (peak RSS KiB, peak thread count) since `start`.
    pub fn stop(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or((0, 0))
    }
}

/// CPU time from /proc: the whole machine, the daemon, this process.
#[derive(Clone, Copy)]
pub struct CpuSnap {
    /// Jiffies summed over every CPU: all, and not idle.
    total: u64,
    busy: u64,
    daemon: u64,
    me: u64,
}

fn proc_cpu(pid: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime is the
    // 12th, stime the 13th; cutime/cstime (14th, 15th) count waited-for
    // children (the CLI and PAM driver runs).
    let rest = text.get(text.rfind(')')? + 2..)?;
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    Some(f.iter().sum())
}

impl CpuSnap {
    pub fn take(pid: i32) -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let cpu: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal (guest is inside user).
        let total: u64 = cpu.iter().take(8).sum();
        let idle = cpu.get(3).copied().unwrap_or(0) + cpu.get(4).copied().unwrap_or(0);
        Some(Self {
            total,
            busy: total.saturating_sub(idle),
            daemon: proc_cpu(&pid.to_string())?,
            me: proc_cpu("self")?,
        })
    }

    /// (daemon, this bench and its children, everything else) in cores
    /// busy on average since `self`.
    pub fn cores_since(self, pid: i32) -> Option<(f64, f64, f64)> {
        let now = Self::take(pid)?;
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let per_cpu = (now.total.saturating_sub(self.total)) as f64 / cpus;
        if per_cpu <= 0.0 {
            return None;
        }
        let cores = |d: u64| d as f64 / per_cpu;
        let daemon = cores(now.daemon.saturating_sub(self.daemon));
        let me = cores(now.me.saturating_sub(self.me));
        let busy = cores(now.busy.saturating_sub(self.busy));
        Some((daemon, me, (busy - daemon - me).max(0.0)))
    }
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
