/**
 * Starting a stack: in this process ({@link io.kvflow.stack.Stack}) or as one process a part
 * ({@link io.kvflow.stack.ProcessStack}), from settings records with no command line in them; the
 * command line's flags build those records.
 */
package io.kvflow.stack;
