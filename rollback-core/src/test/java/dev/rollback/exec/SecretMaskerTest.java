package dev.rollback.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {

  @Test
  void masksOnlyVariablesWhoseNamesSaySecretAndLeavesPortsAndFlagsAlone() {
    SecretMasker m = SecretMasker.defaults()
        .withEnvEntries(List.of("PORT=8080", "FEATURE=true", "DB_PASSWORD=s3cr3t-value", "MODE=blue"));

    assertThat(m.mask("listening on 8080, feature true, mode blue, password s3cr3t-value"))
        .isEqualTo("listening on 8080, feature true, mode blue, password ***");
  }

  @Test
  void everyDefaultNamePatternMatchesCaseInsensitivelyAnywhereInTheName() {
    SecretMasker m = SecretMasker.defaults();
    for (String name : List.of("DB_PASSWORD", "db_passwd", "GITHUB_TOKEN", "client_secret", "API_KEY", "apiKey",
        "AWS_CREDENTIALS", "PRIVATE_PEM", "password")) {
      assertThat(m.isSecretName(name)).as(name).isTrue();
    }
    for (String name : List.of("PORT", "FEATURE", "HOST", "DATABASE_URL", "USER")) {
      assertThat(m.isSecretName(name)).as(name).isFalse();
    }
  }

  @Test
  void addedNamePatternsAreGlobsOverTheWholeName() {
    SecretMasker m = SecretMasker.defaults().withNamePatterns("*_DSN", "PIN");

    assertThat(m.isSecretName("app_dsn")).isTrue();
    assertThat(m.isSecretName("PIN")).isTrue();
    assertThat(m.isSecretName("SPINNER")).isFalse();
    assertThat(m.withEnv("APP_DSN", "host=db user=app").mask("dsn host=db user=app")).isEqualTo("dsn ***");
    assertThat(SecretMasker.defaults().withEnv("APP_DSN", "host=db user=app").mask("host=db user=app"))
        .isEqualTo("host=db user=app");
  }

  @Test
  void refusesANamePatternThatCannotBeAName() {
    assertThatThrownBy(() -> SecretMasker.defaults().withNamePatterns("A=B"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'A=B'").hasMessageContaining("*_DSN");
    assertThatThrownBy(() -> SecretMasker.defaults().withNamePatterns(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSecretInsideALongerLineOrWordIsStillMasked() {
    SecretMasker m = SecretMasker.defaults().withSecret(Secret.of("hunter22"));

    assertThat(m.mask("auth=xhunter22y;")).isEqualTo("auth=x***y;");
    assertThat(m.mask("hunter22hunter22")).isEqualTo("***");
  }

  @Test
  void overlappingSecretsBecomeOneMaskAndNoPartOfEitherShows() {
    SecretMasker m = SecretMasker.defaults().withValue("abcd").withValue("cdxy");

    assertThat(m.mask("[abcdxy]")).isEqualTo("[***]");
  }

  @Test
  void thePasswordOfAUrlInAnyVariableIsMaskedWhateverTheVariablesName() {
    SecretMasker m = SecretMasker.defaults().withEnv("DATABASE_URL", "postgres://app:t0ps3cret@db:5432/app")
        .withEnv("CACHE_URL", "redis://u:pw@cache:6379");

    assertThat(m.mask("cannot connect to postgres://app:t0ps3cret@db:5432/app"))
        .isEqualTo("cannot connect to postgres://app:***@db:5432/app");
    assertThat(m.mask("FATAL: password authentication failed (t0ps3cret)"))
        .isEqualTo("FATAL: password authentication failed (***)");
    assertThat(m.mask("redis://u:pw@cache:6379 refused; pwd is /app")).as("a short one only as the URL's password")
        .isEqualTo("redis://u:***@cache:6379 refused; pwd is /app");
    assertThat(SecretMasker.defaults().withEnv("JDBC_URL", "jdbc:mariadb://app:p@ss@db/shop").mask(
        "jdbc:mariadb://app:p@ss@db/shop?x=a@b")).isEqualTo("jdbc:mariadb://app:***@db/shop?x=a@b");
  }

  @Test
  void textIsNotScannedForSecretsTheMaskerWasNotGiven() {
    SecretMasker m = SecretMasker.defaults().withEnv("PORT", "8080");

    assertThat(m.mask("postgres://u:other@h http://example.com:8080/x DB_PASSWORD=unknown"))
        .isEqualTo("postgres://u:other@h http://example.com:8080/x DB_PASSWORD=unknown");
  }

  @Test
  void aShortSecretIsMaskedBesideItsNameButNotThroughoutFreeText() {
    SecretMasker m = SecretMasker.defaults().withEnvEntries(List.of("DB_PASSWORD=ab"));

    assertThat(m.mask("DB_PASSWORD=ab")).isEqualTo("DB_PASSWORD=***");
    assertThat(m.mask("env: DB_PASSWORD: ab, \"DB_PASSWORD\":\"ab\", DB_PASSWORD='ab'"))
        .isEqualTo("env: DB_PASSWORD: ***, \"DB_PASSWORD\":\"***\", DB_PASSWORD='***'");
    assertThat(m.mask("about a tab: ab")).isEqualTo("about a tab: ab");
    assertThat(m.mask("DB_PASSWORD=abc")).as("another value").isEqualTo("DB_PASSWORD=abc");
  }

  @Test
  void aCommandsSecretAndSecretNamedPlainVariablesAreMaskedItsOthersAreNot() {
    Command c = Command.of("psql").withEnv("PGPASSWORD", "plain-but-secret").withEnv("PGPORT", "5432")
        .withEnv("X_AUTH", Secret.of("given-as-secret"));
    SecretMasker m = SecretMasker.defaults().withCommand(c);

    assertThat(m.mask(c.display() + " | plain-but-secret given-as-secret 5432"))
        .doesNotContain("plain-but-secret").doesNotContain("given-as-secret").contains("PGPORT=5432")
        .endsWith("| *** *** 5432");
  }

  @Test
  void nullEmptyAndUnknownTextPassThroughAndToStringPrintsNoValue() {
    SecretMasker m = SecretMasker.defaults().withEnv(Map.of("API_TOKEN", "tok-123456"));

    assertThat(m.mask(null)).isNull();
    assertThat(m.mask("")).isEmpty();
    assertThat(m.mask("nothing here")).isEqualTo("nothing here");
    assertThat(m.toString()).contains("*TOKEN*").contains("1 value(s)").doesNotContain("tok-123456");
  }

  @Test
  void isImmutableEachWithReturnsANewMasker() {
    SecretMasker base = SecretMasker.defaults();
    SecretMasker more = base.withValue("s3cr3t").withNamePatterns("PIN");

    assertThat(base.mask("s3cr3t")).isEqualTo("s3cr3t");
    assertThat(base.isSecretName("PIN")).isFalse();
    assertThat(more.mask("s3cr3t")).isEqualTo("***");
  }

  @Test
  void aMegabyteOfOutputWithoutSpacesComesBackUnchanged() {
    String big = "a".repeat(1 << 20) + "://u:" + "b".repeat(1 << 10);
    SecretMasker m = SecretMasker.defaults().withValue("zzz");

    assertThat(m.mask(big)).isSameAs(big);
  }
}
