/*
 * The protocol of uecho, the IPC test server (user/uecho/main.c).
 *
 * uecho is started by spawn_elf with a0 = the slot of its endpoint (it
 * needs RIGHT_READ on it) and, optionally, a debug capability at
 * SLOT_DEBUG.  It receives on the endpoint forever, accepting a capability
 * into ECHO_RSLOT of its cspace, and answers each message by label:
 *
 *   ECHO_OP_ECHO    w0..w(n-1)  -> same label and length, each word + 1
 *   ECHO_OP_BADGE               -> w0 = the badge of the sender's cap
 *   ECHO_OP_NOTIFY  [cap]       -> if a capability arrived in ECHO_RSLOT,
 *                                  SYS_SIGNAL it: w0 = 1, w1 = the result;
 *                                  else w0 = 0.  The cap stays in the slot.
 *   ECHO_OP_STORE   w0..w3      -> remembers the words (meant for SEND)
 *   ECHO_OP_LOAD                -> w0..w3 = the remembered words
 *   anything else               -> label ECHO_OP_ERROR, no words
 *
 * Replies go out with SYS_REPLY_RECV, so a message sent with SYS_SEND gets
 * no reply (nobody is waiting for one).
 */
#pragma once

#define ECHO_RSLOT 8 /* where uecho accepts a transferred capability */

enum {
	ECHO_OP_ECHO = 1,
	ECHO_OP_BADGE,
	ECHO_OP_NOTIFY,
	ECHO_OP_STORE,
	ECHO_OP_LOAD,
	ECHO_OP_ERROR = 0xee,
};
