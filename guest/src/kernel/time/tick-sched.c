/*
 * The periodic tick and NO_HZ_IDLE (kernel/time/tick-sched.c, Linux v6.3, with the arm64
 * defconfig's CONFIG_NO_HZ_IDLE=y).
 *
 * One tick grid for every CPU: ticks fall on whole multiples of the tick period of the
 * virtual counter, as Linux aligns every CPU's sched_timer to a multiple of TICK_NSEC
 * (tick_init_jiffy_update()) and forwards it on that grid (hrtimer_forward()), so the CPUs
 * tick together and a late tick does not shift the next ones.
 *
 * jiffies is not counted per interrupt: whichever CPU holds the do_timer duty
 * (tick_do_timer_cpu) brings it up to the counter (tick_do_update_jiffies64()), adding
 * every period that has passed. An idle CPU stops its tick before WFI and gives the duty
 * up; the next CPU that ticks takes it over, and an interrupt that wakes a CPU whose tick
 * is stopped brings jiffies up to date first (tick_nohz_irq_enter()), so jiffies is right
 * whenever anyone looks, whoever is idle. `nohz=off` keeps the periodic tick in idle.
 */
#include <kgdb-lab/delay.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/param.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/spinlock.h>
#include <kgdb-lab/tick.h>
#include <asm/arch_timer.h>
#include <asm/irqflags.h>

#define TICK_DO_TIMER_NONE (-1)

/* One CPU's tick state (struct tick_sched). */
struct tick_sched {
	/* In the idle loop (between tick_nohz_idle_enter() and tick_nohz_idle_exit()). */
	bool inidle;
	/* The periodic tick is stopped: the clockevent is shut down. */
	bool tick_stopped;
	/* This CPU had the do_timer duty when it stopped its tick. */
	bool do_timer_last;
	/* Counter value of the last periodic tick programmed (ts->last_tick). */
	u64 last_tick;
	/* Tick interrupts handled (for a debugger's eyes: `print tick_cpu_sched`). */
	unsigned long ticks;
};

struct tick_sched tick_cpu_sched[NR_CPUS];
volatile unsigned long jiffies;

/* Counter ticks per jiffy (TICK_NSEC in counter units); 0 until tick_init(). */
static u64 tick_period;
/* The grid point jiffies accounts up to, and the next one (read without the lock). */
static u64 last_jiffies_update;
static u64 tick_next_period;
static DEFINE_SPINLOCK(jiffies_lock);
/* The CPU that advances jiffies from its tick, or TICK_DO_TIMER_NONE (all stopped). */
static int tick_do_timer_cpu = TICK_DO_TIMER_NONE;
/* nohz= (kernel-parameters.txt: "nohz=off" disables the dynamic tick). */
static bool tick_nohz_enabled = true;

static struct tick_sched *this_tick_sched(void)
{
	return &tick_cpu_sched[smp_processor_id()];
}

/* The first grid point strictly after now: where hrtimer_forward() puts a periodic tick. */
static u64 tick_next_grid_point(u64 now)
{
	return (now / tick_period + 1) * tick_period;
}

/*
 * Bring jiffies up to the counter (tick_do_update_jiffies64()): add every whole period
 * since the last update, under jiffies_lock. The lockless early-out reads tick_next_period
 * with acquire, as Linux does on 64-bit.
 */
static void tick_do_update_jiffies64(u64 now)
{
	unsigned long ticks = 1;

	if (now < __atomic_load_n(&tick_next_period, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&jiffies_lock);
	if (now < tick_next_period) {
		spin_unlock(&jiffies_lock);
		return;
	}
	u64 delta = now - tick_next_period;
	if (delta >= tick_period)
		ticks += delta / tick_period;
	last_jiffies_update += ticks * tick_period;
	WRITE_ONCE(jiffies, jiffies + ticks);
	__atomic_store_n(&tick_next_period, last_jiffies_update + tick_period, __ATOMIC_RELEASE);
	spin_unlock(&jiffies_lock);
}

/* tick_sched_do_timer(): the first CPU to tick after all stopped takes the duty over. */
static void tick_sched_do_timer(unsigned int cpu, u64 now)
{
	if (READ_ONCE(tick_do_timer_cpu) == TICK_DO_TIMER_NONE)
		WRITE_ONCE(tick_do_timer_cpu, (int)cpu);
	if (READ_ONCE(tick_do_timer_cpu) == (int)cpu)
		tick_do_update_jiffies64(now);
}

/* Program the next periodic tick on the grid (tick_nohz_restart(), hrtimer_forward()). */
static void tick_program_next(struct tick_sched *ts, u64 now)
{
	ts->last_tick = tick_next_grid_point(now);
	arch_timer_set_next_event(ts->last_tick);
}

void tick_init(u64 tick_period_cycles)
{
	tick_period = tick_period_cycles;
	/* tick_init_jiffy_update(): jiffies counts whole periods from the grid point at or before now. */
	last_jiffies_update = get_cycles() / tick_period * tick_period;
	tick_next_period = last_jiffies_update + tick_period;
	tick_do_timer_cpu = (int)smp_processor_id();
	tick_nohz_enabled = cmdline_get_bool("nohz", true);
}

void tick_setup_sched_timer(void)
{
	tick_program_next(this_tick_sched(), get_cycles());
}

/* tick_sched_timer(): jiffies (if this CPU has the duty), then the next tick on the grid. */
void tick_sched_timer(void)
{
	struct tick_sched *ts = this_tick_sched();
	u64 now = get_cycles();

	tick_sched_do_timer(smp_processor_id(), now);
	ts->ticks++;
	/* Stopped in idle: the clockevent stays off (HRTIMER_NORESTART). */
	if (ts->tick_stopped)
		return;
	tick_program_next(ts, now);
}

void tick_nohz_idle_enter(void)
{
	local_irq_disable();
	this_tick_sched()->inidle = true;
	local_irq_enable();
}

/*
 * Stop the tick of a CPU about to idle (__tick_nohz_idle_stop_tick() →
 * tick_nohz_stop_tick()). This kernel has no timers, so the next event is "never"
 * (KTIME_MAX) and the clockevent is shut down rather than reprogrammed; Linux would still
 * wake the last do_timer CPU after the clocksource's max_idle_ns (~880 s at 62.5 MHz).
 * Called with IRQs disabled.
 */
void tick_nohz_idle_stop_tick(void)
{
	struct tick_sched *ts = this_tick_sched();
	int cpu = (int)smp_processor_id();

	/* can_stop_idle_tick(): not with nohz=off (NOHZ_MODE_INACTIVE). */
	if (!tick_nohz_enabled || !ts->inidle || !tick_period)
		return;
	if (READ_ONCE(tick_do_timer_cpu) == cpu) {
		WRITE_ONCE(tick_do_timer_cpu, TICK_DO_TIMER_NONE);
		ts->do_timer_last = true;
	} else if (READ_ONCE(tick_do_timer_cpu) != TICK_DO_TIMER_NONE) {
		ts->do_timer_last = false;
	}
	if (ts->tick_stopped)
		return;
	ts->tick_stopped = true;
	/* tick_program_event(KTIME_MAX, 1): CLOCK_EVT_STATE_ONESHOT_STOPPED. */
	arch_timer_shutdown();
}

/* Leave the idle loop: catch jiffies up and restart the tick on the grid (tick_nohz_idle_exit()). */
void tick_nohz_idle_exit(void)
{
	struct tick_sched *ts = this_tick_sched();

	local_irq_disable();
	ts->inidle = false;
	if (ts->tick_stopped) {
		u64 now = get_cycles();
		tick_do_update_jiffies64(now);
		ts->tick_stopped = false;
		tick_program_next(ts, now);
	}
	local_irq_enable();
}

/*
 * An interrupt on a CPU whose tick is stopped (tick_irq_enter() → tick_nohz_irq_enter() →
 * tick_nohz_update_jiffies()): jiffies may be stale if every CPU idles, and the handler
 * (e.g. the PL011's SysRq timeout) may read it.
 */
void tick_irq_enter(void)
{
	if (!this_tick_sched()->tick_stopped)
		return;
	tick_do_update_jiffies64(get_cycles());
}
