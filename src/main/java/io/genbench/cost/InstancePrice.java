package io.genbench.cost;

import java.math.BigDecimal;

/**
 * What an instance type costs per hour, and where that figure came from.
 *
 * @param instanceType e.g. {@code g5.xlarge}
 * @param region AWS region the prices are for
 * @param ondemandUsdPerHour on-demand price, USD per hour, or null when unknown
 * @param spotUsdPerHour spot price, USD per hour, or null when unknown
 * @param source {@code aws-api}, {@code cache} or {@code catalog}
 * @param asOf when the price was read (ISO date or instant)
 * @param gpu GPU model, null for CPU-only types
 * @param gpus GPUs per instance
 * @param gpuMemoryGb memory per GPU, GB
 * @param vcpus vCPUs
 * @param memoryGib host memory, GiB
 */
public record InstancePrice(String instanceType, String region, BigDecimal ondemandUsdPerHour, BigDecimal spotUsdPerHour,
    String source, String asOf, String gpu, int gpus, double gpuMemoryGb, int vcpus, double memoryGib) {}
