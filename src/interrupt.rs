//! SIGINT and SIGTERM: outside a write the process exits at once (130, 143);
//! during a write phase ([`write_phase`]) the signal is only recorded: the file
//! being written is finished (its temporary file renamed or removed), no further
//! file is written, and the caller reports and exits with [`pending`].

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

/// Open write phases; [`EXITING`] once a signal handler has decided to exit.
static PHASES: AtomicUsize = AtomicUsize::new(0);
const EXITING: usize = usize::MAX;
/// The exit code of the first signal received (0: none).
static PENDING: AtomicI32 = AtomicI32::new(0);

/// Installs the handler (a thread waiting for the signals). Without it the
/// signals keep their default action.
pub fn install() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(s) => s,
        Err(e) => {
            crate::errln!("warning: cannot handle interrupts: {e}");
            return;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                on_signal(128 + sig);
            }
        });
    if let Err(e) = spawned {
        crate::errln!("warning: cannot handle interrupts: {e}");
    }
}

fn on_signal(code: i32) {
    let _ = PENDING.compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
    if PHASES
        .compare_exchange(0, EXITING, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        // Nothing is being written: no temporary file exists, none can be created.
        std::process::exit(code);
    }
    // A write phase is open: it sees `pending()` and stops after the current file.
}

/// The exit code of a signal received during a write phase (130 for SIGINT,
/// 143 for SIGTERM), if one was.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        c => Some(c),
    }
}

/// While this lives, a signal does not end the process.
#[derive(Debug)]
pub struct WritePhase(());

impl Drop for WritePhase {
    fn drop(&mut self) {
        PHASES.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Opens a write phase; `None` when a signal was already received (write
/// nothing more).
pub fn write_phase() -> Option<WritePhase> {
    let mut n = PHASES.load(Ordering::SeqCst);
    loop {
        if n == EXITING {
            return None;
        }
        match PHASES.compare_exchange(n, n + 1, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => break,
            Err(now) => n = now,
        }
    }
    let phase = WritePhase(());
    if pending().is_some() {
        return None;
    }
    Some(phase)
}

/// The error for a write not attempted because of a signal.
pub fn interrupted_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted")
}
