/*
 * Names for the shared error enum, for kernel messages and test output.
 */
#include <abi/error.h>

const char *error_name(int err)
{
	switch (err) {
	case E_OK: return "E_OK";
	case E_INVAL: return "E_INVAL";
	case E_NOMEM: return "E_NOMEM";
	case E_FAULT: return "E_FAULT";
	case E_RANGE: return "E_RANGE";
	case E_BADFMT: return "E_BADFMT";
	case E_NOENT: return "E_NOENT";
	case E_EXISTS: return "E_EXISTS";
	case E_PERM: return "E_PERM";
	case E_TYPE: return "E_TYPE";
	case E_BADCAP: return "E_BADCAP";
	case E_NOSPC: return "E_NOSPC";
	case E_CORRUPT: return "E_CORRUPT";
	case E_NOSYS: return "E_NOSYS";
	case E_BUSY: return "E_BUSY";
	case E_AGAIN: return "E_AGAIN";
	case E_PIPE: return "E_PIPE";
	case E_BADF: return "E_BADF";
	}
	return "E_?";
}
