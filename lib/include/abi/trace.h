/*
 * The kernel event trace (DEBUG_TRACE on the debug capability).
 *
 * Each hart records events in a ring of its own while tracing is on:
 * DEBUG_TRACE with TRACE_START and a mask of TRACE_M_* classes allocates
 * the rings (TRACE_RING_EVENTS events per hart, kernel frames) and starts
 * recording; TRACE_STOP stops; TRACE_READ copies up to a4 events from
 * the oldest into the user buffer a3 and removes them (returns how many);
 * TRACE_FREE stops and gives the rings' frames back.  A full ring drops
 * new events and counts them (TRACE_READ's event of type TRACE_LOST).
 */
#pragma once

#include <stdint.h>

enum {
	TRACE_START = 1, /* a3 = mask */
	TRACE_STOP,
	TRACE_READ, /* a3 = buffer of trace_event_t, a4 = how many at most */
	TRACE_FREE,
};

/* Event types, and the class (mask bit) each belongs to. */
enum {
	TRACE_LOST = 0,	   /* a = events dropped since the last read */
	TRACE_TRAP_ENTER,  /* a = scause, b = sepc (from user mode) */
	TRACE_TRAP_EXIT,   /* a = sepc we return to */
	TRACE_FAULT,	   /* a = stval (address), b = scause */
	TRACE_COW_COPY,	   /* a = virtual page, b = the new frame */
	TRACE_COW_REUSE,   /* a = virtual page, b = the frame (one reference) */
	TRACE_ZERO_FILL,   /* a = virtual page, b = the new frame */
	TRACE_IPC_SEND,	   /* a = endpoint object, b = message label */
	TRACE_IPC_RECV,	   /* a = endpoint object, b = message label */
	TRACE_SWITCH,	   /* a = thread switched to (object address), b = from */
	TRACE_FRAME_ALLOC, /* a = physical address, b = frame kind */
	TRACE_FRAME_FREE,  /* a = physical address */
	TRACE_NTYPES
};

#define TRACE_M_TRAP   (1u << 0) /* TRACE_TRAP_ENTER, TRACE_TRAP_EXIT */
#define TRACE_M_FAULT  (1u << 1) /* TRACE_FAULT, COW_COPY, COW_REUSE, ZERO_FILL */
#define TRACE_M_IPC    (1u << 2)
#define TRACE_M_SWITCH (1u << 3)
#define TRACE_M_FRAME  (1u << 4)
#define TRACE_M_ALL    0x1fu

#define TRACE_RING_EVENTS 2048

typedef struct trace_event {
	uint64_t time; /* timebase ticks (rdtime) */
	uint16_t type;
	uint16_t hart; /* dense hart index */
	uint32_t tid;  /* the running thread's low 32 bits of address, 0: none */
	uint64_t a, b;
} trace_event_t;
