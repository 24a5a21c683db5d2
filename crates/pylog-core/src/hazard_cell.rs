//! A shared value read on every record and replaced rarely, read without an atomic
//! read-modify-write.
//!
//! A logger's handler chain is read by every record. An `ArcSwap` load takes a debt and pays it
//! back: two atomic read-modify-writes, about 13 ns together on a 2-core VM, on every record.
//!
//! Here a reader announces the value it is about to use in a slot of its own thread (a plain
//! store), then checks that the value is still the cell's. Whoever replaces the value frees the
//! old one only once no slot announces it: these are hazard pointers. The reader's store must be
//! ordered before its check, which takes a full fence. On Linux that fence is paid by the rare
//! replacing side instead: `membarrier(2)` makes every running thread of the process pass a full
//! barrier, so the reader needs only a compiler fence. Elsewhere, or when the kernel refuses
//! `membarrier`, the reader takes the fence itself.
//!
//! A value replaced while announced waits in a list of retired values. A reader letting go of a
//! value while that list is not empty frees what no slot announces any more.
//!
//! A read with no slot free, nested more than eight deep on one thread or made while the thread's
//! slots are being destroyed at its exit, takes a counted reference under the cell's lock instead.

use std::any::Any;
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering, compiler_fence, fence};
use std::sync::{Arc, Mutex, MutexGuard, Once};

/// Reads one thread can hold at once without a counted reference.
const SLOTS_PER_THREAD: usize = 8;

/// Whether the replacing side makes every thread pass a full barrier (`membarrier(2)`), so that
/// readers need only a compiler fence. Set once, before any cell holds a value.
static ASYMMETRIC: AtomicBool = AtomicBool::new(false);

/// Whether the retired list may hold something.
static RETIRED_PENDING: AtomicBool = AtomicBool::new(false);

/// Every live thread's slots, for the replacing side to scan.
static THREADS: Mutex<Vec<Arc<ThreadSlots>>> = Mutex::new(Vec::new());

/// Replaced values still announced by some reader.
static RETIRED: Mutex<Vec<Arc<dyn Any + Send + Sync>>> = Mutex::new(Vec::new());

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One thread's announcements: the values it is reading now.
#[derive(Default)]
struct ThreadSlots {
    slots: [AtomicPtr<()>; SLOTS_PER_THREAD],
}

/// This thread's slots, registered for as long as the thread lives. A slot is free when it holds
/// null: only its thread writes it.
struct LocalSlots {
    shared: Arc<ThreadSlots>,
}

impl LocalSlots {
    fn register() -> LocalSlots {
        let shared = Arc::new(ThreadSlots::default());
        lock(&THREADS).push(shared.clone());
        LocalSlots { shared }
    }

    /// Announces the value of `cell` in a free slot until it is confirmed as the cell's value,
    /// and returns it with the slot. `None` when no slot is free; `Some(None)` when the cell is
    /// empty.
    #[inline(always)]
    fn announce<T>(&self, cell: &AtomicPtr<T>) -> Option<Option<(NonNull<T>, &AtomicPtr<()>)>> {
        let slot = self
            .shared
            .slots
            .iter()
            .find(|slot| slot.load(Ordering::Relaxed).is_null())?;
        let mut value = cell.load(Ordering::Acquire);
        loop {
            let Some(announced) = NonNull::new(value) else {
                slot.store(ptr::null_mut(), Ordering::Release);
                return Some(None);
            };
            slot.store(value.cast(), Ordering::Relaxed);
            reader_fence();
            let confirmed = cell.load(Ordering::Acquire);
            if confirmed == value {
                return Some(Some((announced, slot)));
            }
            value = confirmed;
        }
    }
}

impl Drop for LocalSlots {
    fn drop(&mut self) {
        lock(&THREADS).retain(|t| !Arc::ptr_eq(t, &self.shared));
    }
}

thread_local! {
    static LOCAL: LocalSlots = LocalSlots::register();
}

/// The reader's half of the store-then-load order (see the module docs). A relaxed read of the
/// mode is enough: the reader has just read a value from a cell with `Acquire`, and every value
/// is stored after [`init`] has set the mode.
#[inline(always)]
fn reader_fence() {
    if ASYMMETRIC.load(Ordering::Relaxed) {
        compiler_fence(Ordering::SeqCst);
    } else {
        fence(Ordering::SeqCst);
    }
}

/// The replacing side's half: after it, every announcement made before it is visible, and every
/// reader that announces later sees the new value when it checks. `false` when the barrier could
/// not be made (the kernel refused `membarrier`): nothing replaced may then be freed.
/// Called only with a value that was stored, so after [`init`] (its store took the cell's lock).
fn writer_fence() -> bool {
    fence(Ordering::SeqCst);
    !ASYMMETRIC.load(Ordering::Relaxed)
        || (!forced(Forced::BarrierFails) && membarrier::all_threads())
}

/// Chooses the fences, once, before the first value is stored.
fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let asymmetric = !forced(Forced::Refused) && membarrier::register();
        ASYMMETRIC.store(asymmetric, Ordering::Relaxed);
    });
}

/// What a test process may ask of the fences, to run the paths that this kernel never takes. Only
/// the crate's own tests can: elsewhere [`forced`] is always `false`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Forced {
    /// As where the kernel refuses `membarrier`: the readers fence themselves.
    Refused,
    /// As where `membarrier` was registered but a later barrier fails: replaced values are kept.
    BarrierFails,
}

/// The variable that sets [`Forced`] in a test process: `refused` or `barrier-fails`.
#[cfg(test)]
const FORCED_VARIABLE: &str = "PYLOG_TEST_HAZARD_FENCES";

#[cfg(test)]
fn forced(mode: Forced) -> bool {
    static MODE: std::sync::OnceLock<Option<Forced>> = std::sync::OnceLock::new();
    let chosen = MODE.get_or_init(|| match std::env::var(FORCED_VARIABLE).as_deref() {
        Ok("refused") => Some(Forced::Refused),
        Ok("barrier-fails") => Some(Forced::BarrierFails),
        _ => None,
    });
    *chosen == Some(mode)
}

#[cfg(not(test))]
#[inline(always)]
fn forced(_: Forced) -> bool {
    false
}

/// Whether some thread announces `value`.
fn announced(value: *const ()) -> bool {
    lock(&THREADS).iter().any(|thread| {
        thread
            .slots
            .iter()
            .any(|slot| ptr::eq(slot.load(Ordering::Acquire), value))
    })
}

/// Frees `old` once no reader announces it: now, or when the last reader lets go of it.
fn retire<T: Send + Sync + 'static>(old: Arc<T>) {
    if !writer_fence() {
        // Without the barrier a reader may still be about to use it: never free it.
        std::mem::forget(old);
        return;
    }
    if announced(Arc::as_ptr(&old).cast()) {
        lock(&RETIRED).push(old);
        RETIRED_PENDING.store(true, Ordering::Release);
    }
}

/// Frees the retired values no reader announces any more.
#[cold]
fn reclaim() {
    let mut retired = lock(&RETIRED);
    let (still_read, free): (Vec<_>, Vec<_>) = retired
        .drain(..)
        .partition(|value| announced(Arc::as_ptr(value).cast()));
    *retired = still_read;
    RETIRED_PENDING.store(!retired.is_empty(), Ordering::Release);
    drop(retired);
    // Dropped outside the lock: dropping a handler chain may drop handlers, which flush.
    drop(free);
}

/// An `Option<Arc<T>>` that readers read without touching its reference count.
///
/// Dropping the cell drops its value at once: every reader borrows the cell, so none holds it.
/// Values it held before were retired when they were replaced.
pub(crate) struct HazardCell<T: Send + Sync + 'static> {
    /// The value of `owner`, for readers.
    current: AtomicPtr<T>,
    /// Holds the value, orders replacements, and serves readers with no slot free.
    owner: Mutex<Option<Arc<T>>>,
}

impl<T: Send + Sync + 'static> HazardCell<T> {
    /// An empty cell.
    pub(crate) const fn new() -> HazardCell<T> {
        HazardCell {
            current: AtomicPtr::new(ptr::null_mut()),
            owner: Mutex::new(None),
        }
    }

    /// The value, held until the returned guard is dropped. The guard stays on this thread.
    #[inline]
    pub(crate) fn read(&self) -> Option<Protected<'_, T>> {
        let announced = LOCAL
            .try_with(|local| {
                local.announce(&self.current).map(|found| {
                    found.map(|(value, slot)| Protected {
                        value,
                        slot: ptr::from_ref(slot),
                        cell: PhantomData,
                    })
                })
            })
            .ok()
            .flatten();
        match announced {
            Some(found) => found,
            None => self.read_counted(),
        }
    }

    #[cold]
    fn read_counted(&self) -> Option<Protected<'_, T>> {
        let counted = Arc::into_raw(self.counted()?);
        Some(Protected {
            // SAFETY: an `Arc`'s pointer is never null.
            value: unsafe { NonNull::new_unchecked(counted.cast_mut()) },
            slot: ptr::null(),
            cell: PhantomData,
        })
    }

    /// The value as a counted reference, for a holder that keeps it.
    pub(crate) fn counted(&self) -> Option<Arc<T>> {
        lock(&self.owner).clone()
    }

    /// Replaces the value. The old one is freed once no reader holds it.
    pub(crate) fn store(&self, value: Option<Arc<T>>) {
        init();
        let old = {
            let mut owner = lock(&self.owner);
            let raw = value
                .as_ref()
                .map_or(ptr::null_mut(), |v| Arc::as_ptr(v).cast_mut());
            self.current.store(raw, Ordering::SeqCst);
            std::mem::replace(&mut *owner, value)
        };
        if let Some(old) = old {
            retire(old);
        }
    }

    /// Empties the cell and returns what it held, to wait for the readers still holding it.
    pub(crate) fn take(&self) -> Option<Unpublished<T>> {
        let old = {
            let mut owner = lock(&self.owner);
            self.current.store(ptr::null_mut(), Ordering::SeqCst);
            owner.take()
        };
        old.map(|value| Unpublished {
            fenced: writer_fence(),
            value: Some(value),
        })
    }
}

/// A value taken out of a [`HazardCell`]: no new reader finds it. Freed when dropped, once no
/// reader holds it.
pub(crate) struct Unpublished<T: Send + Sync + 'static> {
    value: Option<Arc<T>>,
    /// Whether the barrier after the take was made, so that [`in_use`](Unpublished::in_use)
    /// sees every reader.
    fenced: bool,
}

impl<T: Send + Sync + 'static> Unpublished<T> {
    /// Whether a reader still holds the value.
    pub(crate) fn in_use(&self) -> bool {
        self.value.as_ref().is_some_and(|value| {
            !self.fenced || Arc::strong_count(value) > 1 || announced(Arc::as_ptr(value).cast())
        })
    }
}

impl<T: Send + Sync + 'static> Drop for Unpublished<T> {
    fn drop(&mut self) {
        if let Some(value) = self.value.take() {
            retire(value);
        }
    }
}

/// A value read from a [`HazardCell`], valid until dropped. Two words, so that it is returned in
/// registers.
pub(crate) struct Protected<'a, T> {
    value: NonNull<T>,
    /// The slot announcing `value`; null when the guard holds a counted reference instead
    /// (`value` then comes from `Arc::into_raw`).
    slot: *const AtomicPtr<()>,
    cell: PhantomData<&'a T>,
}

impl<T> Deref for Protected<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the value is announced in a slot (no replacement frees it until the slot is
        // cleared, in `drop`) or counted by the guard.
        unsafe { self.value.as_ref() }
    }
}

impl<T> Drop for Protected<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if self.slot.is_null() {
            // SAFETY: `read_counted` made `value` with `Arc::into_raw`.
            drop(unsafe { Arc::from_raw(self.value.as_ptr().cast_const()) });
            return;
        }
        // SAFETY: the guard is `!Send` and borrows its cell, so it is dropped on the thread whose
        // slot it uses, inside the read that made it: the thread-local holding the slot is alive.
        unsafe { &*self.slot }.store(ptr::null_mut(), Ordering::Release);
        if RETIRED_PENDING.load(Ordering::Relaxed) {
            reclaim();
        }
    }
}

/// `membarrier(2)`: a full barrier on every running thread of the process.
#[cfg(all(target_os = "linux", not(miri)))]
mod membarrier {
    const MEMBARRIER_CMD_PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
    const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

    fn call(command: libc::c_int) -> bool {
        // SAFETY: membarrier takes the command, flags and a CPU number, and touches no memory.
        unsafe { libc::syscall(libc::SYS_membarrier, command, 0u32, 0i32) == 0 }
    }

    /// Registers the process for [`all_threads`]; `false` when the kernel does not offer it.
    pub(super) fn register() -> bool {
        call(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)
    }

    /// The barrier. A child process after `fork` is not registered: it registers again.
    pub(super) fn all_threads() -> bool {
        call(MEMBARRIER_CMD_PRIVATE_EXPEDITED)
            || (register() && call(MEMBARRIER_CMD_PRIVATE_EXPEDITED))
    }
}

/// Without `membarrier(2)` the readers take full fences themselves.
#[cfg(not(all(target_os = "linux", not(miri))))]
mod membarrier {
    pub(super) fn register() -> bool {
        false
    }

    pub(super) fn all_threads() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Counts its drops, and checks that it is never read after one.
    struct Tracked {
        live: AtomicBool,
        drops: Arc<AtomicUsize>,
    }

    impl Tracked {
        fn new(drops: &Arc<AtomicUsize>) -> Arc<Tracked> {
            Arc::new(Tracked {
                live: AtomicBool::new(true),
                drops: drops.clone(),
            })
        }
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.live.store(false, Ordering::SeqCst);
            self.drops.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_replaced_value_lives_until_its_reader_lets_go() {
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = HazardCell::new();
        assert!(cell.read().is_none());
        cell.store(Some(Tracked::new(&drops)));
        let held = cell.read().expect("stored");
        cell.store(Some(Tracked::new(&drops)));
        assert_eq!(drops.load(Ordering::SeqCst), 0, "freed while read");
        assert!(held.live.load(Ordering::SeqCst));
        let newer = cell.read().expect("stored");
        assert!(!ptr::eq(&*newer, &*held));
        drop(held);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "freed when let go");
        drop(newer);
        cell.store(None);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
        assert!(cell.read().is_none());
    }

    #[test]
    fn reads_nested_past_the_slots_are_counted() {
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = HazardCell::new();
        let value = Tracked::new(&drops);
        cell.store(Some(value.clone()));
        let reads: Vec<_> = (0..SLOTS_PER_THREAD + 2)
            .map(|_| cell.read().expect("stored"))
            .collect();
        // The cell's own reference, `value`, and the two reads past the slots.
        assert_eq!(Arc::strong_count(&value), 4);
        assert!(reads.iter().all(|r| ptr::eq(&**r, &*value)));
        drop(reads);
        assert_eq!(Arc::strong_count(&value), 2);
        // Every slot is free again.
        let again: Vec<_> = (0..SLOTS_PER_THREAD)
            .map(|_| cell.read().expect("stored"))
            .collect();
        assert_eq!(Arc::strong_count(&value), 2);
        drop(again);
    }

    #[test]
    fn a_taken_value_is_in_use_while_read() {
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = HazardCell::new();
        cell.store(Some(Tracked::new(&drops)));
        let (reading, done) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let shared = &cell;
        std::thread::scope(|scope| {
            // Owned here, so that a failed assertion below ends the reader's wait too.
            let release = release;
            scope.spawn(move || {
                let held = shared.read().expect("stored");
                reading.send(()).expect("main thread waits");
                released.recv().expect("main thread releases");
                assert!(held.live.load(Ordering::SeqCst));
            });
            done.recv().expect("reader started");
            let taken = cell.take().expect("stored");
            assert!(cell.read().is_none());
            assert!(taken.in_use());
            drop(taken);
            assert_eq!(drops.load(Ordering::SeqCst), 0, "freed while read");
            release.send(()).expect("reader waits");
        });
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let cell = HazardCell::new();
        cell.store(Some(Tracked::new(&drops)));
        let taken = cell.take().expect("stored");
        assert!(!taken.in_use());
        drop(taken);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }

    /// A cell whose value three readers checked while `replacements` new values replaced it, and
    /// the count of its values dropped since.
    fn raced_cell(replacements: usize) -> (HazardCell<Tracked>, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = HazardCell::new();
        cell.store(Some(Tracked::new(&drops)));
        race_readers_with_replacements(&cell, &drops, replacements);
        // The readers' last releases freed what they held; another test's reader may have been
        // releasing at the same time, so look once more.
        reclaim();
        (cell, drops)
    }

    /// Three readers check the values they read while `replacements` new values replace them.
    fn race_readers_with_replacements(
        cell: &HazardCell<Tracked>,
        drops: &Arc<AtomicUsize>,
        replacements: usize,
    ) {
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let held = cell.read().expect("never emptied");
                        assert!(held.live.load(Ordering::SeqCst), "read after free");
                        std::hint::spin_loop();
                        assert!(held.live.load(Ordering::SeqCst), "freed while read");
                    }
                });
            }
            for _ in 0..replacements {
                cell.store(Some(Tracked::new(drops)));
            }
            stop.store(true, Ordering::Relaxed);
        });
    }

    #[test]
    fn readers_never_see_a_freed_value_while_it_is_replaced() {
        let replacements = 2_000;
        let (_cell, drops) = raced_cell(replacements);
        assert_eq!(drops.load(Ordering::SeqCst), replacements);
    }

    /// Readers racing replacements, then a take, in this process's forced mode; what is freed
    /// depends on the mode. Run by the two tests below in a process of its own, since the mode is
    /// chosen once per process.
    #[test]
    #[ignore = "run in a child process by the forced-fence tests"]
    fn forced_fences_child() {
        let mode = std::env::var(FORCED_VARIABLE).expect("run by a forced-fence test");
        init();
        let asymmetric = ASYMMETRIC.load(Ordering::Relaxed);
        if mode == "barrier-fails" && !asymmetric {
            println!("this kernel refuses membarrier(2): a failing barrier cannot be simulated");
            return;
        }
        assert_eq!(asymmetric, mode == "barrier-fails", "mode {mode}");
        let replacements = 2_000;
        let (cell, drops) = raced_cell(replacements);
        let taken = cell.take().expect("stored");
        if mode == "refused" {
            // The readers' own fences order their announcements: everything is freed.
            assert_eq!(drops.load(Ordering::SeqCst), replacements);
            assert!(!taken.in_use());
            drop(taken);
            assert_eq!(drops.load(Ordering::SeqCst), replacements + 1);
        } else {
            // No barrier, so no reader can be ruled out: nothing replaced is ever freed, and a
            // taken value counts as in use (dictConfig then waits out its timeout).
            assert_eq!(drops.load(Ordering::SeqCst), 0);
            assert!(taken.in_use());
            drop(taken);
            assert_eq!(drops.load(Ordering::SeqCst), 0);
        }
        println!("forced mode {mode} checked");
    }

    /// Runs [`forced_fences_child`] in a new process with `mode` forced, and checks that it ran.
    fn run_forced(mode: &str) {
        let exe = std::env::current_exe().expect("the test binary's path");
        let output = std::process::Command::new(exe)
            .args([
                "--exact",
                "hazard_cell::tests::forced_fences_child",
                "--ignored",
                "--nocapture",
            ])
            .env(FORCED_VARIABLE, mode)
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "mode {mode}: {}\n{stdout}\n{stderr}",
            output.status
        );
        assert!(
            stdout.contains("1 passed"),
            "mode {mode}: not run\n{stdout}"
        );
        if stdout.contains("cannot be simulated") {
            println!("mode {mode}: this kernel refuses membarrier(2), so the path was not run");
        } else {
            assert!(
                stdout.contains(&format!("forced mode {mode} checked")),
                "{stdout}"
            );
        }
    }

    #[test]
    fn readers_fence_themselves_where_the_kernel_refuses_membarrier() {
        run_forced("refused");
    }

    #[test]
    fn replaced_values_are_kept_when_a_barrier_fails() {
        run_forced("barrier-fails");
    }
}
