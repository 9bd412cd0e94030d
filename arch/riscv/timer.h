#pragma once
/* Timer interrupt: count the tick and program the next deadline. */
void timer_interrupt(void);
