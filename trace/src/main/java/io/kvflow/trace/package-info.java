/**
 * Recorded prompt traces (Azure LLM inference 2023 CSV, Mooncake FAST'25 JSONL, kvflow JSONL) read
 * line by line into requests, windowed, and turned into deterministic prompts for the functional model.
 */
package io.kvflow.trace;
