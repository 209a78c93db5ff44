console.log("dynamodb-local fetch: placeholder until launcher lands");
