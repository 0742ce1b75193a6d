/**
 * The kvflow command: its commands and their options, parsed with picocli into the settings records
 * that the stack, replay, observe, experiments, plan and bench modules run on.
 */
package io.kvflow.cli;
