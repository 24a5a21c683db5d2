//! The journal's socket: one datagram per entry, a sealed memfd for an entry too large for a
//! datagram, and a short bounded wait when the journal's queue is full.
//!
//! As systemd's `sd_journal_sendv`: the socket is an unbound `AF_UNIX` datagram socket whose send
//! buffer is raised to 8 MiB (`SO_SNDBUF`, then `SO_SNDBUFFORCE` where allowed); an entry the
//! kernel refuses as too large (`EMSGSIZE`, `ENOBUFS`) is written to a memfd, sealed against any
//! change, and its descriptor is sent alone over `SCM_RIGHTS`. Unlike `sd_journal_sendv`, the
//! socket is non-blocking: a full journal makes a send wait at most the handler's send timeout,
//! and a missing journal is an error, not silence.

use std::fs::File;
use std::io::{self, Write as _};
use std::mem::MaybeUninit;
use std::os::fd::AsFd;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fs::{MemfdFlags, SealFlags, fcntl_add_seals, memfd_create};
use rustix::net::sockopt::{
    set_socket_send_buffer_size, set_socket_send_buffer_size_force, socket_send_buffer_size,
};
use rustix::net::{
    SendAncillaryBuffer, SendAncillaryMessage, SendFlags, SocketAddrUnix, sendmsg_addr,
};

/// Where journald listens for native-protocol entries.
pub const DEFAULT_SOCKET: &str = "/run/systemd/journal/socket";

/// The send buffer systemd asks for (`SNDBUF_SIZE` in `journal-send.c`).
pub const DEFAULT_SEND_BUFFER: usize = 8 * 1024 * 1024;

/// How an entry reached the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sent {
    /// In one datagram.
    Datagram,
    /// In a sealed memfd passed over `SCM_RIGHTS` (the entry was too large for a datagram).
    Memfd,
}

/// An unbound datagram socket and the journal's address.
pub(crate) struct JournalSocket {
    socket: UnixDatagram,
    path: PathBuf,
    address: SocketAddrUnix,
    wait: Duration,
}

impl JournalSocket {
    /// A non-blocking socket for `path`, asking for a send buffer of `send_buffer` bytes. Only a
    /// path too long for a socket address, or no descriptor left, fails here; a journal that is
    /// not running is noticed when sending.
    pub(crate) fn open(path: &Path, send_buffer: usize, wait: Duration) -> io::Result<Self> {
        let address = SocketAddrUnix::new(path).map_err(io::Error::from)?;
        let socket = UnixDatagram::unbound()?;
        socket.set_nonblocking(true)?;
        set_send_buffer(&socket, send_buffer);
        Ok(JournalSocket {
            socket,
            path: path.to_owned(),
            address,
            wait,
        })
    }

    /// The journal's socket path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The send buffer the kernel granted (it doubles what is asked for).
    pub(crate) fn send_buffer(&self) -> io::Result<usize> {
        socket_send_buffer_size(&self.socket).map_err(io::Error::from)
    }

    /// Sends one entry, waiting at most the send timeout for room in a full journal.
    pub(crate) fn send(&self, entry: &[u8]) -> io::Result<Sent> {
        let deadline = Instant::now() + self.wait;
        let datagram = self.with_wait(deadline, || {
            self.socket.send_to(entry, &self.path).map(drop)
        });
        match datagram {
            Ok(()) => Ok(Sent::Datagram),
            Err(e) if too_large(&e) => self.send_memfd(entry, deadline).map(|()| Sent::Memfd),
            Err(e) => Err(e),
        }
    }

    /// Writes the entry to a memfd, seals it (journald refuses one that could still change) and
    /// sends the descriptor alone.
    fn send_memfd(&self, entry: &[u8], deadline: Instant) -> io::Result<()> {
        let fd = memfd_create(
            "pylog-journal-entry",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )?;
        let mut file = File::from(fd);
        file.write_all(entry)?;
        fcntl_add_seals(
            &file,
            SealFlags::SEAL | SealFlags::SHRINK | SealFlags::GROW | SealFlags::WRITE,
        )?;
        let fds = [file.as_fd()];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        if !control.push(SendAncillaryMessage::ScmRights(&fds)) {
            return Err(io::Error::other(
                "no room for SCM_RIGHTS in the control buffer",
            ));
        }
        self.with_wait(deadline, || {
            sendmsg_addr(
                &self.socket,
                &self.address,
                &[],
                &mut control,
                SendFlags::NOSIGNAL,
            )
            .map(drop)
            .map_err(io::Error::from)
        })
    }

    /// Runs a non-blocking send again while the socket is full, waiting for room until
    /// `deadline`; then fails with `WouldBlock`.
    fn with_wait(
        &self,
        deadline: Instant,
        mut send: impl FnMut() -> io::Result<()>,
    ) -> io::Result<()> {
        loop {
            match send() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(io::Error::other(JournalFull {
                            path: self.path.clone(),
                            wait: self.wait,
                        }));
                    }
                    wait_writable(&self.socket, left);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }
}

/// The journal's queue stayed full for the whole send timeout.
#[derive(Debug)]
pub(crate) struct JournalFull {
    path: PathBuf,
    wait: Duration,
}

impl std::fmt::Display for JournalFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the journal at {} took no entry for {:?} (its queue is full)",
            self.path.display(),
            self.wait
        )
    }
}

impl std::error::Error for JournalFull {}

/// Pauses before the next try, for at most 2 ms (or `left`, if less). `poll` first waits for
/// room in our own send buffer; but on an unconnected datagram socket it cannot tell that the
/// journal's queue is full (the usual cause of `EAGAIN`), so once it says "writable" the rest of
/// the step is slept.
fn wait_writable(socket: &UnixDatagram, left: Duration) {
    let step = left.min(Duration::from_millis(2));
    let started = Instant::now();
    let timeout = Timespec::try_from(step).unwrap_or(Timespec {
        tv_sec: 0,
        tv_nsec: 2_000_000,
    });
    let mut fds = [PollFd::new(socket, PollFlags::OUT)];
    if poll(&mut fds, Some(&timeout)).is_ok_and(|ready| ready > 0) {
        std::thread::sleep(step.saturating_sub(started.elapsed()));
    }
}

/// Asks for a send buffer of `wanted` bytes, with the privileged `SO_SNDBUFFORCE` when the plain
/// request was capped by `net.core.wmem_max`, as systemd's `fd_inc_sndbuf` does. Failures keep
/// the kernel's default: entries that do not fit go by memfd.
fn set_send_buffer(socket: &UnixDatagram, wanted: usize) {
    let _ = set_socket_send_buffer_size(socket, wanted);
    if socket_send_buffer_size(socket).is_ok_and(|granted| granted >= wanted) {
        return;
    }
    let _ = set_socket_send_buffer_size_force(socket, wanted);
}

/// `EMSGSIZE` or `ENOBUFS`: the entry does not fit in a datagram.
fn too_large(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(code) if code == rustix::io::Errno::MSGSIZE.raw_os_error()
            || code == rustix::io::Errno::NOBUFS.raw_os_error()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::OwnedFd;

    use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, recvmsg};

    #[test]
    fn small_entries_go_in_one_datagram() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let server = UnixDatagram::bind(&path).unwrap();
        let socket =
            JournalSocket::open(&path, DEFAULT_SEND_BUFFER, Duration::from_millis(50)).unwrap();
        assert_eq!(socket.send(b"MESSAGE=hi\n").unwrap(), Sent::Datagram);
        let mut buf = [0u8; 64];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"MESSAGE=hi\n");
    }

    #[test]
    fn large_entries_go_in_a_sealed_memfd() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let server = UnixDatagram::bind(&path).unwrap();
        // 64 KiB asked for: the kernel grants 128 KiB, less than the entry.
        let socket = JournalSocket::open(&path, 64 * 1024, Duration::from_millis(50)).unwrap();
        let entry = vec![b'x'; 300 * 1024];
        assert_eq!(socket.send(&entry).unwrap(), Sent::Memfd);
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let mut data = [0u8; 16];
        let got = recvmsg(
            &server,
            &mut [io::IoSliceMut::new(&mut data)],
            &mut control,
            RecvFlags::empty(),
        )
        .unwrap();
        assert_eq!(got.bytes, 0);
        let mut fds: Vec<OwnedFd> = Vec::new();
        for message in control.drain() {
            if let RecvAncillaryMessage::ScmRights(rights) = message {
                fds.extend(rights);
            }
        }
        assert_eq!(fds.len(), 1);
        let seals = rustix::fs::fcntl_get_seals(&fds[0]).unwrap();
        assert!(seals.contains(SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW));
        let mut file = File::from(fds.pop().unwrap());
        let mut read = Vec::new();
        // The descriptor shares the sender's offset, at the end; journald maps the file.
        io::Seek::seek(&mut file, io::SeekFrom::Start(0)).unwrap();
        io::Read::read_to_end(&mut file, &mut read).unwrap();
        assert_eq!(read, entry);
    }

    #[test]
    fn a_full_journal_fails_after_the_bounded_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let _server = UnixDatagram::bind(&path).unwrap(); // never reads
        let socket = JournalSocket::open(&path, 64 * 1024, Duration::from_millis(20)).unwrap();
        let started = Instant::now();
        let error = (0..100_000)
            .find_map(|_| socket.send(&[b'y'; 1024]).err())
            .expect("the receiver's queue fills");
        assert!(
            error.to_string().contains("took no entry for 20ms"),
            "{error}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_journal_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let socket = JournalSocket::open(
            &dir.path().join("nothing"),
            DEFAULT_SEND_BUFFER,
            Duration::from_millis(20),
        )
        .unwrap();
        let error = socket.send(b"MESSAGE=x\n").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }
}
