/*
 * The protocol of ubsrv, the benchmark's IPC server (user/ubsrv/main.c).
 *
 * ubench starts ubsrv with spawn_elf, its endpoint at UBSRV_EP_SLOT
 * (RIGHT_READ needed) and a0 = one of the modes below.  ubsrv receives on
 * the endpoint forever and answers every message with SYS_REPLY_RECV:
 *
 *   UBSRV_PLAIN        an empty reply; no capability is accepted.
 *   UBSRV_ACCEPT_CAPS  every receive accepts a capability into the next
 *                      free slot, from UBSRV_FIRST_RSLOT up to the end of
 *                      the cspace (UBSRV_CAP_SLOTS), so that each
 *                      transfer installs a capability.  The reply has one
 *                      word: 1 if a capability arrived, else 0.  The slots
 *                      are not emptied: they go when the cspace does.
 */
#pragma once

#define UBSRV_EP_SLOT	  8
#define UBSRV_FIRST_RSLOT 16
#define UBSRV_CAP_SLOTS	  512 /* cspace size for UBSRV_ACCEPT_CAPS */

enum {
	UBSRV_PLAIN = 0,
	UBSRV_ACCEPT_CAPS = 1,
};
