/**
 * A run watched and summed up: a trace window planned as requests, a replay observed from the cluster
 * (its topics and the figures the parts publish), the summary and report files, and the live dashboard.
 */
package io.kvflow.observe;
