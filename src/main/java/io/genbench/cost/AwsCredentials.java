package io.genbench.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;

/**
 * The SDK's default credential chain, with one difference: the EC2 instance-metadata service is asked only with the
 * user's consent ({@code --detect-instance}). Without it a laptop or CI job never sends a request to
 * 169.254.169.254 (the SDK would otherwise try it last, with retries, on every host).
 */
public final class AwsCredentials {
  private AwsCredentials() {}

  /**
   * System properties, environment variables, web identity (IRSA), the shared profile files, the container endpoint
   * (ECS, EKS Pod Identity; only when its environment variables are set), and last the instance profile when
   * {@code instanceMetadata} is true.
   */
  public static AwsCredentialsProvider chain(boolean instanceMetadata) {
    List<AwsCredentialsProvider> providers = new ArrayList<>(List.of(SystemPropertyCredentialsProvider.create(),
        EnvironmentVariableCredentialsProvider.create(), WebIdentityTokenFileCredentialsProvider.create(),
        ProfileCredentialsProvider.create()));
    if (System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != null || System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
      providers.add(ContainerCredentialsProvider.create());
    }
    if (instanceMetadata) providers.add(InstanceProfileCredentialsProvider.create());
    return AwsCredentialsProviderChain.builder().credentialsProviders(providers).reuseLastProviderEnabled(true).build();
  }

  /** Whether the chain finds credentials (without asking AWS whether they are any good); the reason when not. */
  public static Optional<String> missing(AwsCredentialsProvider chain) {
    try {
      chain.resolveCredentials();
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of("no AWS credentials found (environment, profile, web identity"
          + (e.getMessage() != null && e.getMessage().contains("InstanceProfile") ? ", instance profile" : "") + ")");
    }
  }
}
