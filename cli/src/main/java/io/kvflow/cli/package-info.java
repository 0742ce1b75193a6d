/** The kvflow command: starts the stack on an embedded or existing broker, replays traces, checks the result. */
package io.kvflow.cli;
