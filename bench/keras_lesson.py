# The original lesson's code, verbatim from shared/seed/tutorial-ko.md (its code blocks, in order).
# bench/run_keras.py runs it; only the epoch count (and, for the batch-size table, the batch size) is changed there.
import matplotlib.pyplot as plt
from tensorflow.keras.datasets import mnist
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential
from tensorflow.keras.utils import to_categorical

# (step 1, given inline in the lesson's text)
(x_train,y_train),(x_test,y_test)=mnist.load_data()

#### 전체적인 이미지들을 확인
fig,axes=plt.subplots(nrows=10,ncols=10,figsize=(10,13),
                      subplot_kw={"xticks":[],"yticks":[]})
 #axes는 각각의 이미지에 대한 영역이다.
for i,ax in enumerate(axes.flat):
    ax.imshow(x_train[i],cmap="gray")
    ax.set_title(y_train[i])
x_train=x_train.reshape(60000,784).astype("float32")/255.0 #60000개의 샘플이 원래는 28*28특징으로(3차원) 되어있는 데 28*28을 784로 바꾸어서 2차원으로 변환  # noqa: E501 (the original lesson's line, kept as written)
# 그리고 실수로 변환하고 255.0으로 나누엇 0~1.0사이로 만듬
x_test=x_test.reshape(10000,784).astype("float32")/255.0
y_train=to_categorical(y_train) #원핫인코딩
y_test=to_categorical(y_test)
model=Sequential([
      Dense(64,input_dim=784 ,activation="relu"),
      Dense(32,activation="relu"),#이전층의 출력이 다음층의 입력으로 들어감
      Dense(10,activation="softmax")
])

model.compile(loss="categorical_crossentropy",optimizer="adam",metrics=["accuracy"])
hist=model.fit(x_train,y_train,epochs=100,batch_size=32) #매 단계마다 발생핸 loss,accuracy들을 hist에 반환
test_loss,test_acc=model.evaluate(x_test,y_test)

print("Test accuracy: ",test_acc)
print("Test loss: ",test_loss)
