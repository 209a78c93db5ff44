// DynamoDB Local bound to 127.0.0.1 only. The jar's own main (ServerRunner) always listens on every
// interface and has no option to choose an address; it builds its Jetty server with `new
// Server(port)`, which makes one ServerConnector with no host. We build the server the same way,
// set that connector's host to the loopback address before it opens its socket, and start it.
//
// Run by lambdas/adapters/local/dynamodb-local.ts with DynamoDBLocal.jar and DynamoDBLocal_lib/*
// on the class path and the jar's own arguments (-port, -dbPath or -inMemory, ...), either as a
// source file (`java DynamoDbLocalOnLoopback.java`) or compiled once into a cache directory by
// `--compile-into <dir> <this file>`, which uses the JDK's compiler through javax.tools.
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public class DynamoDbLocalOnLoopback {
  private static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--compile-into")) {
      System.exit(compile(Path.of(args[2]), Path.of(args[1])));
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field serverField = DynamoDBProxyServer.class.getDeclaredField("server");
    serverField.setAccessible(true);
    Server server = (Server) serverField.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local's Jetty server has no connector to bind");
    for (Connector connector : connectors) {
      // Anything else would listen on an address we did not choose: refuse to start instead.
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("DynamoDB Local's Jetty connector is a " + connector.getClass().getName() + ", not a ServerConnector");
      }
      ((ServerConnector) connector).setHost(LOOPBACK);
    }
    try {
      // safeStart is start without the telemetry call and without swallowing a bind failure.
      proxy.safeStart();
    } catch (Exception error) {
      System.err.println("DynamoDB Local could not start: " + error);
      System.exit(1);
    }
    System.out.println("DynamoDB Local listening on " + LOOPBACK + ":" + ((ServerConnector) connectors[0]).getLocalPort());
  }

  /** Compiles `source` into `outputDir` with the running JDK's compiler; 0 on success. */
  private static int compile(Path source, Path outputDir) throws Exception {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (compiler == null) return 2;
    Files.createDirectories(outputDir);
    String classPath = System.getProperty("java.class.path");
    List<String> options = List.of("-proc:none", "-nowarn", "-classpath", classPath, "-d", outputDir.toString(), source.toString());
    return compiler.run(null, null, null, options.toArray(new String[0]));
  }
}
