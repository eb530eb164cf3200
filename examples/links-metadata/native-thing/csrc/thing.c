int native_thing_answer(void) { return 42; }
int native_thing_twice(int x) { return 2 * x; }
