#include "../../../../arch/riscv/include/arch/ptleaf.h"
