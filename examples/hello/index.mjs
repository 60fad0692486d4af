// A plain Lambda handler: runs unchanged on AWS Lambda (nodejs20.x). Invoked directly it reads
// `event.name`; behind a function URL or http route, the `name` query parameter.
export const handler = async (event, context) => {
  const name = event?.name ?? event?.queryStringParameters?.name ?? 'world';
  console.log(`greeting ${name} from ${context.functionName}`);
  return { message: `${process.env.GREETING ?? 'Hello'}, ${name}!`, requestId: context.awsRequestId };
};
