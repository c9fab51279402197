package io.genbench.capacity;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What stopped the rate from going higher. In results files: {@code kind} and {@code description} beside the fields. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({@JsonSubTypes.Type(value = Binding.SloConstraint.class, name = "slo"),
    @JsonSubTypes.Type(value = Binding.Generator.class, name = "generator"),
    @JsonSubTypes.Type(value = Binding.NotReached.class, name = "not_reached")})
public sealed interface Binding {

  /** One line for people, e.g. {@code response_p95<=2s: 2.31 s at 0.38 req/s}. */
  @JsonProperty("description")
  String describe();

  /** An SLO constraint failed at the first failing rate. */
  record SloConstraint(SloCheck.Item item, double rate) implements Binding {
    @Override
    public String describe() {
      return item.describe() + " at " + CapacityResult.rate(rate);
    }
  }

  /** The generator could not drive the next rate: the server's limit lies above what was measured. */
  record Generator(LevelValidity validity, double rate) implements Binding {
    @Override
    public String describe() {
      return "the generator could not drive " + CapacityResult.rate(rate) + " (" + validity.describe()
          + "); the capacity may be higher";
    }
  }

  /** Every level passed up to where the search stopped; the constraint closest to its bound there, if any. */
  record NotReached(String why, SloCheck.Item closest) implements Binding {
    @Override
    public String describe() {
      return "no rate failed (" + why + ")" + (closest == null ? "" : "; closest to its bound: " + closest.describe());
    }
  }
}
