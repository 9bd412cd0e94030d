/*
 * The real Sv39 PTE layout (pure macros, no assembly), reachable as
 * <arch/pte.h> on the host include path for arch/riscv/pt.c and the tests
 * that walk its tables.
 */
#pragma once

#include "../../../../arch/riscv/include/arch/pte.h"
