//! Process hardening: a process that holds private keys or plaintext must not leave them in a
//! core dump, nor be readable by a same-user debugger (`ptrace`, `/proc/PID/mem`).

/// Sets `RLIMIT_CORE` to 0 and, on Linux, `PR_SET_DUMPABLE` to 0. Called first thing by every
/// command: which command will touch keys or plaintext is only known later, and the cost is two
/// system calls. Failures are ignored: hardening must never stop the tool from working (a
/// seccomp-restricted container may refuse the calls).
pub fn no_core_dumps() {
    #[cfg(unix)]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
    }
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn core_limit_is_zero_and_the_process_is_not_dumpable_afterwards() {
        // The unit test process is a fresh one per run of this binary; the effect is process-wide,
        // which is harmless for the other tests.
        super::no_core_dumps();
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        let fields: Vec<&str> = core.split_whitespace().collect();
        assert_eq!(&fields[4..6], ["0", "0"], "{core}");
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }
}
