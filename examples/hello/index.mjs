// A plain Lambda handler: runs unchanged on AWS Lambda (nodejs20.x).
export const handler = async (event, context) => {
  const name = event?.name ?? 'world';
  console.log(`greeting ${name} from ${context.functionName}`);
  return { message: `${process.env.GREETING ?? 'Hello'}, ${name}!`, requestId: context.awsRequestId };
};
